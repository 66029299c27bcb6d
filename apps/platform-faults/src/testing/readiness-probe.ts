/**
 * `ready`: 200. `not-ready`: any other status. `no-answer`: nothing within the probe's timeout
 * (a probe that times out fails, as a supervisor's does). `down`: the connection was refused.
 */
export type ReadyState = 'ready' | 'not-ready' | 'no-answer' | 'down';

export interface ReadySample {
  /**
   * When the answer came (or the probe gave up): a probe sent while the database hangs and
   * answered once it resumes tells about the moment it answered.
   */
  readonly at: number;
  readonly state: ReadyState;
}

export interface ProbeTarget {
  readonly name: string;
  /** The app's HTTP port now (it may be restarted). */
  readonly port: () => number;
}

const INTERVAL_MS = 250;
const TIMEOUT_MS = 2_000;

/** Polls GET /ready of each app every 250 ms and keeps every answer. */
export class ReadinessProbe {
  private readonly samples = new Map<string, ReadySample[]>();
  private running = false;
  private loops: Array<Promise<void>> = [];

  constructor(private readonly targets: readonly ProbeTarget[]) {}

  start(): void {
    this.running = true;
    this.loops = this.targets.map((target) => this.loop(target));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Samples of `app` answered in [from, to]. */
  between(app: string, from: number, to: number): ReadySample[] {
    return (this.samples.get(app) ?? []).filter((s) => s.at >= from && s.at <= to);
  }

  /** True when some probe of `app` answered in [from, to] did not find it ready. */
  wasNotReady(app: string, from: number, to: number): boolean {
    return this.between(app, from, to).some((s) => s.state !== 'ready');
  }

  /** The latest answer of `app`. */
  latest(app: string): ReadySample | undefined {
    return this.samples.get(app)?.at(-1);
  }

  /**
   * The state changes of `app` in [from, to] as `ready, not-ready at +1.2 s, ready at +31.0 s`,
   * times relative to `origin`.
   */
  timeline(app: string, from: number, to: number, origin: number): string {
    const parts: string[] = [];
    let last: ReadyState | undefined;
    for (const sample of this.between(app, from, to)) {
      if (sample.state === last) continue;
      parts.push(`${sample.state} at ${signed((sample.at - origin) / 1000)}`);
      last = sample.state;
    }
    return parts.join(', ') || 'no samples';
  }

  private async loop(target: ProbeTarget): Promise<void> {
    const samples: ReadySample[] = [];
    this.samples.set(target.name, samples);
    while (this.running) {
      const sentAt = Date.now();
      const state = await probe(target.port());
      samples.push({ at: Date.now(), state });
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, sentAt + INTERVAL_MS - Date.now())),
      );
    }
  }
}

async function probe(port: number): Promise<ReadyState> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/ready`, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return response.status === 200 ? 'ready' : 'not-ready';
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === 'ECONNREFUSED') return 'down';
    return 'no-answer';
  }
}

const signed = (seconds: number) => `${seconds >= 0 ? '+' : ''}${seconds.toFixed(1)} s`;
