import { Injectable } from '@nestjs/common';

export interface ReadinessState {
  readonly ok: boolean;
  readonly [detail: string]: unknown;
}

/**
 * What else an app must have done before it is ready (e.g. a subscription index caught up):
 * services register a named check here and /ready reports each one.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, () => ReadinessState>();

  register(name: string, check: () => ReadinessState): void {
    this.checks.set(name, check);
  }

  report(): Record<string, ReadinessState> {
    return Object.fromEntries([...this.checks].map(([name, check]) => [name, check()]));
  }
}
