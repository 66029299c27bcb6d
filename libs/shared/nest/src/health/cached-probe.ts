export interface ProbeResult {
  readonly ok: boolean;
  readonly error?: string;
}

export interface CachedProbeOptions {
  /**
   * A result younger than this is answered again without probing; default 1 s. A broker's clean
   * restart leaves its port closed for only 2–3 s, which a 3 s old answer can hide entirely.
   */
  readonly maxAgeMs?: number;
  /** A probe that takes longer is answered as down; default 2 s. */
  readonly timeoutMs?: number;
}

/**
 * A dependency check that runs at most once per `maxAgeMs`, however often /ready is asked
 * (orchestrators, load balancers and scrapers all ask), one probe at a time, and never for
 * longer than `timeoutMs`: a database that hangs makes /ready answer "down" in two seconds
 * instead of hanging the probe behind it.
 */
export class CachedProbe<T extends ProbeResult> {
  private last: { result: T | ProbeResult; at: number } | undefined;
  private running: Promise<T | ProbeResult> | undefined;
  private readonly maxAgeMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly probe: () => Promise<T>,
    options: CachedProbeOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 2_000;
  }

  async check(): Promise<T | ProbeResult> {
    if (this.last && this.now() - this.last.at < this.maxAgeMs) return this.last.result;
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<T | ProbeResult> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<ProbeResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, error: `no answer within ${this.timeoutMs} ms` }),
        this.timeoutMs,
      );
    });
    const result = await Promise.race([
      this.probe().catch((error: unknown): ProbeResult => ({
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      })),
      timedOut,
    ]);
    clearTimeout(timer);
    this.last = { result, at: this.now() };
    return result;
  }
}
