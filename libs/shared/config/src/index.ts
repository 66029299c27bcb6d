export { collectProblems, ConfigError, env, parseEnv, redactUrl } from './env';
export type { Setting } from './env';
export { tlsTrustFailure } from './tls-trust';
export { RETENTION_SETTINGS } from './retention';
