export { collectProblems, ConfigError, env, parseEnv, redactUrl } from './env';
export type { Setting } from './env';
export { tlsTrustFailure } from './tls-trust';
export { RETENTION_SETTINGS } from './retention';
export { APP_NODE_FLAGS, appNodeFlags } from './node-flags';
export type { AppName } from './node-flags';
