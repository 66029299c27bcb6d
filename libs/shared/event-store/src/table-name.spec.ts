import { validateTableName } from './table-name';

describe('validateTableName', () => {
  it.each(['webhook_events', 'delivery_events', '_t1', 'outbox'])(
    'accepts the plain identifier %s',
    (name) => {
      expect(validateTableName(name)).toBe(name);
    },
  );

  it.each([
    '',
    'Webhook_events',
    '1events',
    'events;drop table x',
    'public.events',
    '"events"',
    'a-b',
    'a'.repeat(64),
  ])('refuses %j, which could not be spliced into SQL unquoted', (name) => {
    expect(() => validateTableName(name)).toThrow(/Invalid table name/);
  });
});
