import { WorkSignal } from './work-signal';

describe('WorkSignal', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const settled = async (promise: Promise<void>) => {
    let done = false;
    void promise.then(() => (done = true));
    await Promise.resolve();
    await Promise.resolve();
    return done;
  };

  it('ends a wait on wake', async () => {
    const signal = new WorkSignal(1000);
    const waiting = signal.wait();
    expect(await settled(waiting)).toBe(false);
    signal.wake();
    expect(await settled(waiting)).toBe(true);
  });

  it('ends a wait after the poll interval when nothing wakes it', async () => {
    const signal = new WorkSignal(1000);
    const waiting = signal.wait();
    jest.advanceTimersByTime(999);
    expect(await settled(waiting)).toBe(false);
    jest.advanceTimersByTime(1);
    expect(await settled(waiting)).toBe(true);
  });

  it('ends a wait after the time it is given', async () => {
    const signal = new WorkSignal(1000);
    const waiting = signal.wait(20);
    jest.advanceTimersByTime(20);
    expect(await settled(waiting)).toBe(true);
  });

  it('keeps a wake that came while no one waited for the next wait, once', async () => {
    const signal = new WorkSignal(1000);
    signal.wake();
    signal.wake();
    expect(await settled(signal.wait())).toBe(true);
    expect(await settled(signal.wait())).toBe(false);
  });

  it('does not keep a wake for later once it ended a wait', async () => {
    const signal = new WorkSignal(1000);
    const first = signal.wait();
    signal.wake();
    expect(await settled(first)).toBe(true);
    expect(await settled(signal.wait())).toBe(false);
  });

  it('does not count a wait that timed out as woken', async () => {
    const signal = new WorkSignal(1000);
    const first = signal.wait(10);
    jest.advanceTimersByTime(10);
    expect(await settled(first)).toBe(true);
    signal.wake();
    expect(await settled(signal.wait())).toBe(true);
  });
});
