// Spec helpers: walk and edit JSON documents by JSON Pointer. Not exported from the lib.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A deep copy of `doc` (plain JSON). */
export function clone<T>(doc: T): T {
  return JSON.parse(JSON.stringify(doc)) as T;
}

function tokens(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, pointer: string): { parent: Record<string, unknown>; key: string } {
  const path = tokens(pointer);
  const key = path.pop();
  if (key === undefined) throw new Error('the root has no parent');
  let node: unknown = doc;
  for (const token of path) {
    node = (node as Record<string, unknown>)[token];
  }
  return { parent: node as Record<string, unknown>, key };
}

/** A copy of `doc` without the property at `pointer`. */
export function without<T>(doc: T, pointer: string): T {
  const copy = clone(doc);
  const { parent, key } = parentOf(copy, pointer);
  delete parent[key];
  return copy;
}

/** A copy of `doc` with `value` at `pointer`. */
export function withValue<T>(doc: T, pointer: string, value: unknown): T {
  const copy = clone(doc);
  const { parent, key } = parentOf(copy, pointer);
  parent[key] = value;
  return copy;
}

/**
 * Pointers of every property a schema requires, nested objects included (`/project/id`),
 * following the parts of `doc` that are objects.
 */
export function requiredPointers(schema: unknown, doc: unknown, base = ''): string[] {
  const s = schema as { required?: readonly string[]; properties?: Record<string, unknown> };
  const pointers: string[] = [];
  for (const key of s.required ?? []) {
    const pointer = `${base}/${key}`;
    pointers.push(pointer);
    const child = (doc as Record<string, Json>)[key];
    const childSchema = s.properties?.[key];
    if (child !== null && typeof child === 'object' && !Array.isArray(child) && childSchema) {
      pointers.push(...requiredPointers(childSchema, child, pointer));
    }
  }
  return pointers;
}
