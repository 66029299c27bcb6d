/** Every export slot (of the company, or of this process) is taken: 429 with Retry-After. */
export class ExportBusyError extends Error {
  override readonly name = 'ExportBusyError';

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** An export streamed past its maximum duration and was cut short. */
export class ExportTimeLimitError extends Error {
  override readonly name = 'ExportTimeLimitError';

  constructor(readonly maxDurationMs: number) {
    super(`the export ran past its ${maxDurationMs} ms limit and was cut short`);
  }
}
