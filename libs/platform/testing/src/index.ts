export { Platform, PLATFORM_APPS } from './platform';
export type { DeliveryRow, PlatformApp, PlatformOptions } from './platform';
