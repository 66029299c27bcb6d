import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the delivery history, its export, the statistics and replays read by.
 *
 * `deliveries.test`: the delivery was requested as a test (Test webhook). Its current `state`
 * cannot say so once a manual retry re-opened it (the round's trigger becomes `manual`), and the
 * statistics leave test deliveries out; backfilled from the `DeliveryRequested` of the log.
 *
 * The history lists newest first by (`created_at`, `delivery_id`) with keyset pagination, so each
 * filter it answers fast on millions of rows has an index in that order behind its equality
 * columns. The old `(company, webhook_id, created_at DESC)` is replaced by the one ending in
 * `delivery_id DESC`. `(company, webhook_id, status, created_at) WHERE NOT test` counts a
 * webhook's deliveries by status from the index, and finds what a replay or a recovery sends.
 *
 * `webhook_stats` is rebuilt from the log, without the calls of test deliveries, which the
 * projection counted until now.
 */
export class AddDeliveryHistoryIndexes1764464400000 implements MigrationInterface {
  readonly name = 'AddDeliveryHistoryIndexes1764464400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE deliveries ADD COLUMN test boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(`
      UPDATE deliveries d SET test = true
       WHERE EXISTS (SELECT 1 FROM delivery_events e
                      WHERE e.delivery_id = d.delivery_id AND e.type = 'DeliveryRequested'
                        AND e.data->>'trigger' = 'test')
    `);
    await queryRunner.query(`DROP INDEX deliveries_webhook_idx`);
    await queryRunner.query(
      `CREATE INDEX deliveries_company_created_idx ON deliveries (company, created_at DESC, delivery_id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX deliveries_webhook_created_idx ON deliveries (company, webhook_id, created_at DESC, delivery_id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX deliveries_status_created_idx ON deliveries (company, status, created_at DESC, delivery_id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX deliveries_event_type_created_idx ON deliveries (company, event_type, created_at DESC, delivery_id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX deliveries_webhook_status_idx ON deliveries (company, webhook_id, status, created_at) WHERE NOT test`,
    );
    await queryRunner.query(`DELETE FROM webhook_stats`);
    await queryRunner.query(`
      WITH calls AS (
        SELECT e.webhook_id, e.company, e.type, e.recorded_at, e.global_position
          FROM delivery_events e JOIN deliveries d USING (delivery_id)
         WHERE e.type IN ('AttemptSucceeded', 'AttemptFailed')
           AND e.data->>'trigger' <> 'test' AND NOT d.test
      ), last_success AS (
        SELECT webhook_id, max(global_position) AS position
          FROM calls WHERE type = 'AttemptSucceeded' GROUP BY webhook_id
      )
      INSERT INTO webhook_stats (webhook_id, company, total_calls, successful_calls, failed_calls,
                                 consecutive_failures, last_triggered_at)
      SELECT c.webhook_id, min(c.company), count(*),
             count(*) FILTER (WHERE c.type = 'AttemptSucceeded'),
             count(*) FILTER (WHERE c.type = 'AttemptFailed'),
             count(*) FILTER (WHERE c.type = 'AttemptFailed' AND c.global_position > COALESCE(s.position, 0)),
             max(c.recorded_at)
        FROM calls c LEFT JOIN last_success s USING (webhook_id)
       GROUP BY c.webhook_id
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // webhook_stats stays as rebuilt: without test calls, which is what it should always have been.
    await queryRunner.query(`DROP INDEX deliveries_webhook_status_idx`);
    await queryRunner.query(`DROP INDEX deliveries_event_type_created_idx`);
    await queryRunner.query(`DROP INDEX deliveries_status_created_idx`);
    await queryRunner.query(`DROP INDEX deliveries_webhook_created_idx`);
    await queryRunner.query(`DROP INDEX deliveries_company_created_idx`);
    await queryRunner.query(
      `CREATE INDEX deliveries_webhook_idx ON deliveries (company, webhook_id, created_at DESC)`,
    );
    await queryRunner.query(`ALTER TABLE deliveries DROP COLUMN test`);
  }
}
