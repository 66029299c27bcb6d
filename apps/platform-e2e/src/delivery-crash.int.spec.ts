import { deliveryUuid } from '@hookline/contracts';
import { uniqueName } from '@hookline/shared-testing';
import { Platform } from '@hookline/platform-testing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The delivery worker killed with SIGKILL during a call and while a retry waits, and stopped with
 * SIGTERM during a call: after a restart every delivery ends delivered or failed, none is lost,
 * and a pending retry still fires. Short timeout and lease so the test waits seconds, not
 * minutes, for a dead worker's claims to run out.
 */
describe('delivery worker crashes', () => {
  const platform = new Platform({
    worker: {
      HOOKLINE_DELIVERY_TIMEOUT_MS: '3000',
      HOOKLINE_DELIVERY_LEASE_MS: '8000',
      HOOKLINE_RETRY_POLICY: 'attempts=3;delays=3,3',
    },
  });

  const scope = () => {
    const id = uniqueName('proj');
    return { projectIds: [id], data: { project: { id, name: `Project ${id}` } } };
  };

  beforeAll(async () => {
    await platform.start();
  });

  afterAll(async () => {
    await platform.stop();
  });

  it('SIGKILL during a call: the call is made again after the lease runs out, and recorded once', async () => {
    const { projectIds, data } = scope();
    platform.receiver.on('/stuck', { hang: true });
    const stuck = await platform.createWebhook('/stuck', { projectIds });
    const bulk = await platform.createWebhook('/bulk', { projectIds });
    const envelopes = [];
    for (let i = 0; i < 20; i += 1) envelopes.push(await platform.publish('scan.completed', data));

    await platform.receiver.waitFor(1, { path: '/stuck' });
    expect(await platform.worker.kill('SIGKILL')).toBeNull();
    platform.receiver.on('/stuck', { status: 200 });
    await platform.startWorker();

    const ids = envelopes.flatMap((e) => [
      platform.deliveryId(e, stuck.id),
      platform.deliveryId(e, bulk.id),
    ]);
    const rows = await Promise.all(
      ids.map((id) => platform.waitForStatus(id, ['succeeded', 'failed'], 60_000)),
    );
    expect(rows.filter((r) => r.status !== 'succeeded')).toEqual([]);

    // Every delivery reached the receiver; a call the dead worker had in flight came again.
    const received = new Set(
      platform.receiver.requests().map((r) => String(r.headers['x-corgea-delivery'])),
    );
    expect(ids.filter((id) => !received.has(deliveryUuid(id)))).toEqual([]);
    // Each attempt is in the log once, whatever was sent twice.
    for (const id of ids) {
      const attempts = (await platform.log(id)).filter((e) => e.type.startsWith('Attempt'));
      expect(attempts.map((e) => e.attempt)).toEqual([...new Set(attempts.map((e) => e.attempt))]);
    }
  });

  it('SIGKILL while a retry waits: the retry still fires after the restart', async () => {
    const { projectIds, data } = scope();
    platform.receiver.on('/flaky', { sequence: [{ status: 500 }, { status: 200 }] });
    const flaky = await platform.createWebhook('/flaky', { projectIds });
    const envelope = await platform.publish('scan.completed', data);
    const deliveryId = platform.deliveryId(envelope, flaky.id);

    await platform.waitForStatus(deliveryId, ['retry_scheduled']);
    expect(await platform.worker.kill('SIGKILL')).toBeNull();
    // The retry falls due while no worker runs.
    await sleep(4000);
    await platform.startWorker();

    const row = await platform.waitForStatus(deliveryId, ['succeeded'], 30_000);
    expect(row.attempts).toBe(2);
    const log = await platform.log(deliveryId);
    expect(log.map((e) => [e.type, e.attempt])).toEqual([
      ['DeliveryRequested', null],
      ['AttemptFailed', 1],
      ['RetryScheduled', 2],
      ['AttemptSucceeded', 2],
    ]);
    expect(platform.receiver.requests('/flaky')).toHaveLength(2);
  });

  it('SIGTERM during a call: exits within 15 s, hands the call back, and it is made on restart', async () => {
    const { projectIds, data } = scope();
    platform.receiver.on('/slow-stop', { hang: true });
    const webhook = await platform.createWebhook('/slow-stop', { projectIds });
    const envelope = await platform.publish('scan.completed', data);
    const deliveryId = platform.deliveryId(envelope, webhook.id);
    await platform.receiver.waitFor(1, { path: '/slow-stop' });

    const started = Date.now();
    await platform.worker.kill('SIGTERM');
    const stopMs = Date.now() - started;
    expect(stopMs).toBeLessThan(15_000);
    expect(platform.worker.output()).not.toMatch(/"level":(50|60)/);
    // The call ran into its 3 s deadline within the drain: its failure and retry are recorded,
    // and nothing is left claimed.
    const attempt = (await platform.log(deliveryId)).find((e) => e.type === 'AttemptFailed');
    expect(attempt).toMatchObject({ attempt: 1, failureClass: 'timeout' });
    const claimed: Array<{ n: string }> = await platform.dataSource.query(
      `SELECT count(*) AS n FROM delivery_queue WHERE delivery_id = $1 AND claimed_until > now()`,
      [deliveryId],
    );
    expect(Number(claimed[0]?.n)).toBe(0);

    platform.receiver.on('/slow-stop', { status: 200 });
    await platform.startWorker();
    const row = await platform.waitForStatus(deliveryId, ['succeeded'], 30_000);
    expect(row.attempts).toBeGreaterThanOrEqual(1);
  });
});
