import type { DataSource } from 'typeorm';

export interface DeliveryLogFill {
  /** Deliveries to write: each a failed call then a successful retry (two attempts). */
  readonly deliveries: number;
  readonly company: string;
  /** Delivery and event ids are derived from the company and a number. Webhook ids are `<webhookPrefix><n>`, n from 0 to webhooks - 1. */
  readonly webhookPrefix: string;
  readonly webhooks: number;
  /** The first delivery's time; each next one 10 ms later. */
  readonly startAt: Date;
}

// Every delivery: DeliveryRequested, AttemptFailed (503), RetryScheduled, AttemptSucceeded, as
// the worker writes them; one `deliveries` row in its final state. One statement each.
const FILL_EVENTS = `
  WITH d AS (
    SELECT i,
           'dlv_' || md5($2::text || 'd' || i)::uuid AS delivery_id,
           md5($2::text || 'e' || i)::uuid::text AS event_id,
           $3::text || (i % $4::int) AS webhook_id,
           $5::timestamptz + i * interval '10 milliseconds' AS created_at
      FROM generate_series(1, $1::int) AS g(i)
  ), steps AS (
    SELECT d.*, s.n, s.type, s.attempt, s.trigger, d.created_at + s.n * interval '1 second' AS at
      FROM d CROSS JOIN (VALUES (0, 'DeliveryRequested', NULL::int, 'first'),
                                (1, 'AttemptFailed', 1, 'first'),
                                (2, 'RetryScheduled', 2, 'retry'),
                                (3, 'AttemptSucceeded', 2, 'retry')) AS s(n, type, attempt, trigger)
  )
  INSERT INTO delivery_events
    (idempotency_key, delivery_id, webhook_id, company, type, schema_version, data, recorded_at,
     delivery_created_at)
  SELECT delivery_id || ':' || type || ':' || n, delivery_id, webhook_id, $2::text, type, 1,
         jsonb_build_object(
           'schemaVersion', 1, 'type', type, 'deliveryId', delivery_id, 'webhookId', webhook_id,
           'company', $2::text, 'eventId', event_id, 'eventType', 'scan.completed',
           'attempt', attempt, 'trigger', trigger,
           'statusCode', CASE type WHEN 'AttemptFailed' THEN 503 WHEN 'AttemptSucceeded' THEN 200 END,
           'durationMs', CASE WHEN attempt IS NOT NULL AND type LIKE 'Attempt%' THEN 40 + i % 200 END,
           'error', CASE type WHEN 'AttemptFailed' THEN 'http_5xx: HTTP 503' END,
           'nextAttemptAt', CASE type WHEN 'RetryScheduled'
                              THEN to_char((at + interval '2 seconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END,
           'recordedAt', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'correlationId', event_id)
         || CASE WHEN type LIKE 'Attempt%' THEN jsonb_build_object(
           'failureClass', CASE type WHEN 'AttemptFailed' THEN 'http_5xx' END,
           'url', 'https://hooks.example.com/corgea/' || webhook_id,
           'requestHeaders', jsonb_build_object(
             'content-type', 'application/json', 'user-agent', 'Hookline/1.0',
             'x-corgea-delivery', delivery_id, 'x-corgea-event', 'scan.completed',
             'x-corgea-signature', '********', 'x-team-token', '********'),
           'requestBody', '{"event_id":"' || event_id || '","event_type":"scan.completed","timestamp":"'
             || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
             || '","data":{"company":"' || $2::text || '","scan_id":"' || md5('s' || i)::uuid
             || '","project":{"name":"My Application","branch":"main"},"issues_found":' || i % 40
             || ',"severity":{"critical":1,"high":3,"medium":5,"low":3},"scan_type":"full"}}',
           'responseHeaders', jsonb_build_object('content-type', 'text/plain', 'server', 'nginx'),
           'responseBody', CASE type WHEN 'AttemptFailed' THEN '=HYPERLINK("upstream busy, try later")'
                                     ELSE 'ok' END,
           'responseTruncated', false) ELSE '{}'::jsonb END,
         at, created_at
    FROM steps
`;

const FILL_DELIVERIES = `
  INSERT INTO deliveries (delivery_id, webhook_id, company, event_id, event_type, status, attempts,
                          next_attempt_at, last_status_code, last_error, created_at, updated_at,
                          state, test)
  SELECT e.delivery_id, e.webhook_id, e.company, e.data->>'eventId', 'scan.completed', 'succeeded',
         2, NULL, 200, NULL, e.recorded_at - interval '3 seconds', e.recorded_at,
         jsonb_build_object(
           'deliveryId', e.delivery_id, 'webhookId', e.webhook_id, 'company', e.company,
           'eventId', e.data->>'eventId', 'eventType', 'scan.completed',
           'correlationId', e.data->>'eventId', 'trigger', 'first', 'status', 'succeeded',
           'attempts', 2, 'roundStart', 0, 'nextAttemptAt', NULL, 'lastStatusCode', 200,
           'lastError', NULL, 'lastManualRequestAt', NULL, 'updatedAt', e.data->>'recordedAt'),
         false
    FROM delivery_events e
   WHERE e.type = 'AttemptSucceeded' AND e.company = $1
`;

/**
 * Fills a delivery log set-based, fast enough for 100,000 attempts in a benchmark or a spec:
 * realistic request and response details, as the delivery worker records them.
 */
export async function fillDeliveryLog(
  dataSource: DataSource,
  fill: DeliveryLogFill,
): Promise<void> {
  await dataSource.query(FILL_EVENTS, [
    fill.deliveries,
    fill.company,
    fill.webhookPrefix,
    fill.webhooks,
    fill.startAt.toISOString(),
  ]);
  await dataSource.query(FILL_DELIVERIES, [fill.company]);
  await dataSource.query(`ANALYZE delivery_events`);
  await dataSource.query(`ANALYZE deliveries`);
}
