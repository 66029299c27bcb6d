import type { Webhook } from '@hookline/webhooks-domain';

/** A cursor that cannot be decoded: the API answers 400 naming `cursor`. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

/** The position after `webhook` in a list ordered by (createdAt, id) descending. */
export const encodeCursor = (webhook: Pick<Webhook, 'createdAt' | 'id'>): string =>
  Buffer.from(JSON.stringify([webhook.createdAt, webhook.id])).toString('base64url');

/** The (createdAt, id) a cursor of {@link encodeCursor} stands for; anything else is refused. */
export function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      !Number.isNaN(Date.parse(value[0])) &&
      typeof value[1] === 'string'
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // fall through to the error below
  }
  throw new InvalidCursorError('cursor is not one this API returned');
}
