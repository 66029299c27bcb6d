/** Metadata key of the action a route requires (set by @Requires, read by ApiKeyGuard). */
export const REQUIRED_ACTION = Symbol('RequiredAction');
