/** The roles an API key can hold, most powerful first. */
export const ROLES = ['admin', 'integrations', 'viewer'] as const;

export type Role = (typeof ROLES)[number];

/** What a caller may ask to do; each endpoint names the one action it needs. */
export const ACTIONS = [
  'webhooks:read',
  'webhooks:write',
  'secrets:reveal',
  'keys:manage',
] as const;

export type Action = (typeof ACTIONS)[number];

/**
 * Each role's permissions, spelled out rather than inherited so a review sees them all at once:
 * `admin` may do everything; `integrations` manages webhooks but can neither reveal their signing
 * secrets nor manage API keys; `viewer` only reads.
 */
export const ROLE_PERMISSIONS: { readonly [R in Role]: readonly Action[] } = Object.freeze({
  admin: Object.freeze([...ACTIONS]),
  integrations: Object.freeze(['webhooks:read', 'webhooks:write'] as const),
  viewer: Object.freeze(['webhooks:read'] as const),
});

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

/** Whether `role` may perform `action`. Anything unknown (a stale role name) is refused. */
export function can(role: Role, action: Action): boolean {
  if (!isRole(role) || !isAction(action)) return false;
  return ROLE_PERMISSIONS[role].includes(action);
}
