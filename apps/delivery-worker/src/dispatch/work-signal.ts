/**
 * How the claim loop waits for work: until something says new work may be due ({@link wake}:
 * an intake committed, a call finished) or `pollMs` passed. The one place the loop waits, so
 * another way of hearing of work can take its place.
 */
export class WorkSignal {
  private wakeUp: (() => void) | undefined;

  constructor(private readonly pollMs: number) {}

  /** Resolves on the next {@link wake}, or after `pollMs`. */
  wait(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.pollMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Ends the wait in progress, if any. */
  wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }
}
