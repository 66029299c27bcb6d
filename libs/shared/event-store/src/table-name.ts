const TABLE_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * Returns `name` if it is a plain lower-case SQL identifier (at most 63 bytes, PostgreSQL's
 * limit), so it can be spliced into SQL unquoted; throws otherwise.
 */
export function validateTableName(name: string): string {
  if (!TABLE_NAME.test(name) || name.length > 63) {
    throw new Error(
      `Invalid table name ${JSON.stringify(name)}: expected ${TABLE_NAME.source}, at most 63 characters`,
    );
  }
  return name;
}
