export { PlatformModule } from './platform.module';
export type { PlatformModuleOptions } from './platform.module';
export { HealthHttpController } from './health/health.http.controller';
export type { Readiness } from './health/health.http.controller';
export { runApp } from './run-app';
export type { RunAppOptions } from './run-app';
export { DATA_SOURCE, KAFKA } from './tokens';
export { LOG_LEVELS, LOG_REDACT_PATHS } from './logging';
