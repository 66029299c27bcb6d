import { ACTIONS, ROLES, ROLE_PERMISSIONS, can, isRole, type Action, type Role } from './roles';

describe('roles', () => {
  const table: Record<Role, Record<Action, boolean>> = {
    admin: {
      'webhooks:read': true,
      'webhooks:write': true,
      'secrets:reveal': true,
      'keys:manage': true,
    },
    integrations: {
      'webhooks:read': true,
      'webhooks:write': true,
      'secrets:reveal': false,
      'keys:manage': false,
    },
    viewer: {
      'webhooks:read': true,
      'webhooks:write': false,
      'secrets:reveal': false,
      'keys:manage': false,
    },
  };

  it.each(ROLES.flatMap((role) => ACTIONS.map((action) => [role, action] as const)))(
    '%s may %s only as the permission table says',
    (role, action) => {
      expect(can(role, action)).toBe(table[role][action]);
    },
  );

  it('gives admin every action, including ones added later to ACTIONS', () => {
    expect([...ROLE_PERMISSIONS.admin].sort()).toEqual([...ACTIONS].sort());
  });

  it('refuses unknown roles and actions instead of throwing', () => {
    expect(can('owner' as Role, 'webhooks:read')).toBe(false);
    expect(can('admin', 'webhooks:delete' as Action)).toBe(false);
    expect(can(undefined as unknown as Role, 'webhooks:read')).toBe(false);
  });

  it('recognises role names exactly', () => {
    expect(ROLES.every(isRole)).toBe(true);
    expect(isRole('Admin')).toBe(false);
    expect(isRole('toString')).toBe(false);
    expect(isRole(1)).toBe(false);
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(ROLE_PERMISSIONS)).toBe(true);
    expect(Object.isFrozen(ROLE_PERMISSIONS.viewer)).toBe(true);
  });
});
