export { createTestDatabase, integrationEnv, uniqueName } from './infra';
export type { IntegrationEnv, TestDatabase } from './infra';
