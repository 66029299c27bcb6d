import { describeViolations, type ContractViolation } from '@hookline/contracts';

/**
 * An event broke the catalog's contract, so nothing was sent. A programming error in the
 * producer: retrying the same call fails the same way.
 */
export class InvalidEventError extends Error {
  /** Stable code for error mapping. */
  readonly code = 'INVALID_EVENT';

  constructor(
    /** The event type as given (for a batch, the first invalid event's). */
    readonly eventType: string,
    /**
     * Every violation found: JSON Pointer `path` from the envelope root (`/data/project/id`) and
     * the failed `rule` (`required`, `type`, `format`, ...). In a batch, paths start with the
     * event's index in the batch (`/2/data/company`).
     */
    readonly violations: readonly ContractViolation[],
    options?: { cause?: unknown },
  ) {
    super(
      `invalid ${eventType} event, nothing was published: ${describeViolations(violations)}`,
      options,
    );
    this.name = 'InvalidEventError';
  }
}
