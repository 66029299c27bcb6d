// Public API of @hookline/events-publisher. Anything not exported here is internal.
export {
  ENVELOPE_MESSAGE_TYPE,
  ENVELOPE_SCHEMA_VERSION,
  EVENT_SOURCE_HEADER,
  EventPublisher,
  type EventProducer,
  type EventPublisherOptions,
  type PublishOptions,
  type PublishRequest,
} from './event-publisher';
export { InvalidEventError } from './invalid-event.error';
export { EventPublishFailedError } from './event-publish-failed.error';
