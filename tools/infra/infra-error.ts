/** What went wrong, as a stable code a caller can branch on. */
export type InfraErrorCode =
  | 'BAD_SETTING'
  | 'PORT_IN_USE'
  | 'PORT_MISMATCH'
  | 'JAVA_MISSING'
  | 'MAVEN_MISSING'
  | 'KAFKA_JARS_FAILED'
  | 'KAFKA_FORMAT_FAILED'
  | 'KAFKA_NOT_READY'
  | 'POSTGRES_UNSUPPORTED_PLATFORM'
  | 'POSTGRES_INIT_FAILED'
  | 'POSTGRES_NOT_READY'
  | 'PROCESS_EXITED'
  | 'STATE_CORRUPT'
  | 'LOCK_TIMEOUT';

/** A failure of the local infrastructure tooling, with the log file that explains it if any. */
export class InfraError extends Error {
  override readonly name = 'InfraError';

  constructor(
    readonly code: InfraErrorCode,
    message: string,
    readonly logFile?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
