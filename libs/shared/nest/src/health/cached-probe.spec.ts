import { CachedProbe } from './cached-probe';

describe('CachedProbe', () => {
  it('probes at most once per max age, one probe at a time', async () => {
    let calls = 0;
    let clock = 0;
    const probe = new CachedProbe(
      async () => {
        calls += 1;
        return { ok: true, n: calls };
      },
      { maxAgeMs: 1000 },
      () => clock,
    );
    const [a, b] = await Promise.all([probe.check(), probe.check()]);
    expect([a, b, calls]).toEqual([{ ok: true, n: 1 }, { ok: true, n: 1 }, 1]);
    clock = 999;
    expect(await probe.check()).toEqual({ ok: true, n: 1 });
    clock = 1000;
    expect(await probe.check()).toEqual({ ok: true, n: 2 });
  });

  it('answers down when the probe hangs past its timeout, or throws', async () => {
    const hanging = new CachedProbe(() => new Promise<{ ok: boolean }>(() => undefined), {
      timeoutMs: 20,
    });
    expect(await hanging.check()).toEqual({ ok: false, error: 'no answer within 20 ms' });
    const failing = new CachedProbe<{ ok: boolean }>(async () => {
      throw new Error('connection refused');
    });
    expect(await failing.check()).toEqual({ ok: false, error: 'connection refused' });
  });
});
