import type { EntityManager } from 'typeorm';
import { validateTableName } from './table-name';

/** One Kafka message to publish once the transaction that wrote it commits. */
export interface OutboxMessage {
  readonly topic: string;
  readonly key: string;
  /** `null` publishes a tombstone. */
  readonly value: string | null;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The channel a write to `table` notifies (`NOTIFY`, delivered when its transaction commits) and
 * its relays listen on, so they publish at once instead of at their next poll.
 */
export function outboxChannel(table: string): string {
  return `${validateTableName(table)}_written`;
}

/**
 * Writes `messages` to the outbox inside the caller's transaction, in the given order (their ids,
 * and so their publish order, follow it). Nothing reaches Kafka unless the transaction commits.
 */
export async function writeOutbox(
  manager: EntityManager,
  messages: readonly OutboxMessage[],
  options: { table?: string } = {},
): Promise<void> {
  if (messages.length === 0) return;
  const table = validateTableName(options.table ?? 'outbox');
  messages.forEach((message, index) => {
    if (!message.topic) throw new TypeError(`messages[${index}].topic is required`);
    if (typeof message.key !== 'string')
      throw new TypeError(`messages[${index}].key must be a string`);
    if (message.value !== null && typeof message.value !== 'string') {
      throw new TypeError(`messages[${index}].value must be a string or null`);
    }
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      if (typeof value !== 'string') {
        throw new TypeError(`messages[${index}].headers.${name} must be a string`);
      }
    }
  });
  // The rows as one JSON document: as array parameters, pg would escape every value again as an
  // element of an array literal for the server to parse.
  // The relays are told in the same round trip; PostgreSQL delivers the notification on commit.
  await manager.query(
    `WITH written AS (
       INSERT INTO ${table} (topic, message_key, value, headers)
       SELECT m.topic, m.message_key, m.value, m.headers
         FROM jsonb_to_recordset($1::jsonb)
              AS m(n int, topic text, message_key text, value text, headers jsonb)
        ORDER BY m.n
       RETURNING 1
     )
     SELECT pg_notify($2, '') FROM (SELECT count(*) FROM written) w`,
    [
      JSON.stringify(
        messages.map((m, n) => ({
          n,
          topic: m.topic,
          message_key: m.key,
          value: m.value,
          headers: m.headers ?? {},
        })),
      ),
      outboxChannel(table),
    ],
  );
}
