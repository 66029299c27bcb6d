/** Another writer appended to the stream first: reload it, decide again, retry the command. */
export class ConcurrencyConflictError extends Error {
  readonly code = 'EVENT_STORE_CONCURRENCY_CONFLICT';

  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    options?: { cause?: unknown },
  ) {
    super(
      `Concurrency conflict on stream ${streamId}: expected version ${expectedVersion} is no longer the head`,
      options,
    );
    this.name = 'ConcurrencyConflictError';
  }
}

interface PgErrorShape {
  readonly code?: unknown;
  readonly constraint?: unknown;
  readonly driverError?: unknown;
}

/**
 * Whether `error` (a pg error, or TypeORM's QueryFailedError wrapping one) is the unique
 * violation of the given `(stream_id, stream_position)` constraint.
 */
export function isStreamPositionViolation(error: unknown, constraint: string): boolean {
  for (const candidate of [error, (error as PgErrorShape | null)?.driverError]) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const { code, constraint: name } = candidate as PgErrorShape;
    if (code === '23505' && name === constraint) return true;
  }
  return false;
}

/** Turns the stream-position unique violation into a ConcurrencyConflictError; any other error is returned as it is. */
export function translateAppendError(
  error: unknown,
  streamId: string,
  expectedVersion: number,
  constraint: string,
): unknown {
  return isStreamPositionViolation(error, constraint)
    ? new ConcurrencyConflictError(streamId, expectedVersion, { cause: error })
    : error;
}
