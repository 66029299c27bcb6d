import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/** The statement names of the texts seen so far: a name is the hash of its text. */
const names = new Map<string, string>();

/** A name for `text` that no other text gets: two texts under one name would fail on a connection. */
export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `hl_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Runs `text` as a named prepared statement: each connection parses and plans it once (the
 * server may keep a generic plan after five runs) instead of at every call. For the statements
 * of the delivery path, whose planning over the partitioned tables costs as much as running
 * them. `on` is a transaction's manager (the statement runs on its connection) or the data
 * source (any connection of its pool). Returns pg's result: `rows` and `rowCount`.
 */
export async function queryPrepared<R extends QueryResultRow = QueryResultRow>(
  on: DataSource | EntityManager,
  text: string,
  values: readonly unknown[],
): Promise<QueryResult<R>> {
  const config = { name: statementName(text), text, values: [...values] };
  const runner = 'queryRunner' in on ? on.queryRunner : undefined;
  if (runner) {
    // A transaction's query runner holds its connection: the statement must run on it.
    const client = (await runner.connect()) as PoolClient;
    return client.query<R>(config);
  }
  const dataSource = 'driver' in on ? on : on.connection;
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  return pool.query<R>(config);
}
