import { SAMPLE_ENVELOPES } from '@hookline/contracts';
import { readFileSync } from 'node:fs';
import { Platform } from '@hookline/platform-testing';

const COUNT = 100_000;

/** A process's peak resident memory so far (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
  return Math.round(kb / 1024);
}

/**
 * A recovery after a long outage: 100,000 failed deliveries of one webhook, recovered in one
 * call. The config API pages through them (a page read and queued per round trip), so its
 * memory stays what it was.
 */
describe('a 100,000-delivery recovery', () => {
  // A heap too small to hold the 100,000 requests at once (about 400 MB parsed): the recovery
  // must page through them or the config API dies of it.
  const HEAP_LIMIT_MB = 192;
  const platform = new Platform({
    configApi: { NODE_OPTIONS: `--max-old-space-size=${HEAP_LIMIT_MB}` },
  });

  beforeAll(async () => {
    await platform.start();
    // Nothing is sent here: the worker would only make 100,000 calls to the receiver.
    await platform.worker.kill('SIGTERM');
  });

  const heapUsedMb = async (): Promise<number> => {
    const metrics = await platform.apiText('GET', '/metrics');
    const bytes = Number(
      /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m.exec(metrics.text)?.[1],
    );
    return Math.round(bytes / 1_048_576);
  };

  afterAll(async () => {
    await platform.stop();
  });

  it('queues every failed delivery of the window in bounded memory, oldest first', async () => {
    const webhook = await platform.createWebhook('/long-outage');
    const sample = SAMPLE_ENVELOPES['scan.completed'];
    // 100,000 deliveries that failed over the last hours, written as the worker records them:
    // the accepted request, its DeliveryRequested, the projection row.
    // In chunks of 10,000, each well inside the statement timeout of a busy machine.
    for (let from = 0; from < COUNT; from += 10_000)
      await platform.dataSource.query(
        `WITH p AS (SELECT $1::text AS webhook, $2::text AS company), g AS (
         SELECT n, gen_random_uuid()::text AS event_id,
                now() - interval '6 hours' + n * interval '100 milliseconds' AS at
           FROM generate_series($3::int + 1, $3::int + 10000) n
       ), r AS (
         INSERT INTO delivery_requests (delivery_id, webhook_id, company, request, recorded_at)
         SELECT 'dlv_' || md5(event_id || (SELECT webhook FROM p)), (SELECT webhook FROM p), (SELECT company FROM p),
                json_build_object(
                  'schemaVersion', 1, 'deliveryId', 'dlv_' || md5(event_id || (SELECT webhook FROM p)),
                  'eventId', event_id, 'webhookId', (SELECT webhook FROM p), 'webhookVersion', 1, 'company', (SELECT company FROM p),
                  'eventType', 'scan.completed',
                  'envelope', ($4::jsonb || jsonb_build_object('event_id', event_id))::json,
                  'trigger', 'first', 'requestedAt', at, 'correlationId', event_id),
                at
           FROM g RETURNING delivery_id, recorded_at
       ), e AS (
         INSERT INTO delivery_events
           (idempotency_key, delivery_id, webhook_id, company, type, data, recorded_at,
            delivery_created_at)
         SELECT delivery_id || ':requested', delivery_id, (SELECT webhook FROM p), (SELECT company FROM p), 'DeliveryRequested',
                jsonb_build_object('type', 'DeliveryRequested', 'deliveryId', delivery_id),
                recorded_at, recorded_at
           FROM r ORDER BY recorded_at RETURNING 1
       )
       INSERT INTO deliveries (delivery_id, webhook_id, company, event_id, event_type, status,
                               attempts, last_status_code, last_error, created_at, updated_at, state)
       SELECT delivery_id, (SELECT webhook FROM p), (SELECT company FROM p), delivery_id, 'scan.completed', 'failed', 3, 503,
              'gave up after 3 attempts', recorded_at, recorded_at, '{}'::jsonb
         FROM r`,
        [webhook.id, platform.company, from, JSON.stringify(sample)],
      );
    const pid = platform.configApiPid();
    const heapBefore = await heapUsedMb();
    const before = peakRssMb(pid);
    const startedAt = Date.now();
    // The live heap, sampled from the app's own metrics while the recovery runs.
    let heapPeak = heapBefore;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        heapPeak = Math.max(heapPeak, await heapUsedMb());
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const recovered = await platform.api<{ queued: number; complete: boolean }>(
      'POST',
      `/v1/webhooks/${webhook.id}/recover`,
      { since: new Date(Date.now() - 86_400_000).toISOString() },
    );
    sampling = false;
    await sampler;
    const seconds = (Date.now() - startedAt) / 1000;
    const after = peakRssMb(pid);
    process.stdout.write(
      `recover of ${COUNT} deliveries: ${seconds.toFixed(1)} s; config API peak RSS ${before} MB before, ${after} MB after; ` +
        `heap used ${heapBefore} MB before, at most ${heapPeak} MB during\n`,
    );
    expect([recovered.status, recovered.body]).toEqual([202, { queued: COUNT, complete: true }]);
    expect(heapPeak).toBeLessThan(HEAP_LIMIT_MB + 16);
    expect(platform.configApiPid()).toBe(pid);
  });
});
