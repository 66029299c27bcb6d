export { createTestDatabase, integrationEnv, uniqueName } from './infra';
export type { IntegrationEnv, TestDatabase } from './infra';
export { startHttpApp } from './http-app';
export type { RunningApp } from './http-app';
export { freePort, startAppProcess } from './app-process';
export type { AppProcess } from './app-process';
export { createTestCa } from './test-ca';
export type { TestCa } from './test-ca';
export { startHttpsReceiver } from './https-receiver';
export type {
  CannedResponse,
  HttpsReceiver,
  HttpsReceiverOptions,
  ReceivedRequest,
  ReceiverBehaviour,
  WaitForOptions,
} from './https-receiver';
export { fillDeliveryLog } from './delivery-log-fill';
export type { DeliveryLogFill } from './delivery-log-fill';
export { sampleDeliveryRequest } from './delivery-request';
export { consumeTopic } from './consume-topic';
export type { ConsumedMessage, ConsumeTopicOptions } from './consume-topic';
