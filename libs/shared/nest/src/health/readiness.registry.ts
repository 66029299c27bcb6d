import { Injectable } from '@nestjs/common';

export interface ReadinessState {
  readonly ok: boolean;
  readonly [detail: string]: unknown;
}

/**
 * What else an app must have done before it is ready (e.g. a subscription index caught up):
 * services register a named check here and /ready reports each one (a terminus indicator each).
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, () => ReadinessState>();

  register(name: string, check: () => ReadinessState): void {
    this.checks.set(name, check);
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  /** The state of the check registered under `name`, or `undefined` when there is none. */
  state(name: string): ReadinessState | undefined {
    return this.checks.get(name)?.();
  }
}
