/**
 * How the claim loop waits for work: until something says new work may be due ({@link wake}:
 * an intake committed, a call finished) or the wait's time passed. The one place the loop waits,
 * so another way of hearing of work can take its place. A wake while no one waits is kept for
 * the next wait: an intake that commits while the loop is claiming is not missed until the poll.
 */
export class WorkSignal {
  private wakeUp: (() => void) | undefined;
  private woken = false;

  constructor(private readonly pollMs: number) {}

  /** Resolves on the next {@link wake} (at once if one came since the last wait), or after `ms`. */
  wait(ms: number = this.pollMs): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Ends the wait in progress, or the next one if none is. */
  wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    if (wakeUp) wakeUp();
    else this.woken = true;
  }
}
