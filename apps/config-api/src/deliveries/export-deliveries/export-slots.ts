/**
 * How many exports run at once: at most `global` in this process and `perCompany` for one
 * company. Plain counters in memory; the global cap is also the size of the export pool.
 */
export class ExportSlots {
  private running = 0;
  private readonly byCompany = new Map<string, number>();

  constructor(private readonly limits: { readonly global: number; readonly perCompany: number }) {}

  /**
   * Takes a slot for `company`: a release function (idempotent), or `undefined` when a cap is
   * reached and the export must wait.
   */
  tryAcquire(company: string): (() => void) | undefined {
    const mine = this.byCompany.get(company) ?? 0;
    if (this.running >= this.limits.global || mine >= this.limits.perCompany) return undefined;
    this.running += 1;
    this.byCompany.set(company, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
      const left = (this.byCompany.get(company) ?? 1) - 1;
      if (left === 0) this.byCompany.delete(company);
      else this.byCompany.set(company, left);
    };
  }

  get inUse(): number {
    return this.running;
  }
}
