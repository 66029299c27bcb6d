export const EVENT_MATCHER_CONFIG = Symbol('EventMatcherConfig');
