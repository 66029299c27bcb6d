/** The history's `cursor` is not one this API handed out (malformed, cut, or edited). */
export class InvalidCursorError extends Error {
  readonly code = 'invalid_cursor';
  constructor(message = 'cursor is not valid: pass the nextCursor of the previous page as is') {
    super(message);
    this.name = 'InvalidCursorError';
  }
}

/** Where a history page ended: its last row's sort key. */
export interface HistoryCursor {
  /** `created_at` with the database's microseconds, UTC (`2026-11-26T23:40:00.123456Z`). */
  readonly createdAt: string;
  readonly deliveryId: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function encodeCursor(cursor: HistoryCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.deliveryId]), 'utf8').toString(
    'base64url',
  );
}

/** @throws InvalidCursorError when `text` is not a cursor {@link encodeCursor} made. */
export function decodeCursor(text: string): HistoryCursor {
  if (!BASE64URL.test(text)) throw new InvalidCursorError();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new InvalidCursorError();
  const [createdAt, deliveryId] = parsed as unknown[];
  if (
    typeof createdAt !== 'string' ||
    !TIMESTAMP.test(createdAt) ||
    Number.isNaN(Date.parse(createdAt)) ||
    typeof deliveryId !== 'string' ||
    deliveryId === ''
  ) {
    throw new InvalidCursorError();
  }
  return { createdAt, deliveryId };
}
