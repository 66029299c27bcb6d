export {
  infraDiscard,
  infraDown,
  infraStatus,
  infraUp,
  renderEnvFile,
  type InfraCommandOptions,
  type InfraDownResult,
  type InfraHandle,
  type InfraSelection,
  type InfraStatus,
  type InfraStopOutcome,
  type InfraUpOptions,
  type InfraUpResult,
  type ServiceStatus,
} from './infra';
export { ENV, DEFAULT_PORTS, infraPaths, parseInstanceName, type InfraPaths } from './config';
export { InfraError, type InfraErrorCode } from './infra-error';
