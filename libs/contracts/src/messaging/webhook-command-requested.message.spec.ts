import { requiredPointers, without, withValue } from '../testing/json-paths';
import type { ValidationResult } from '../validation/contract-violation';
import {
  WEBHOOK_COMMAND_REQUESTED_SCHEMA,
  parseWebhookCommandRequested,
  validateWebhookCommandRequested,
  type WebhookCommandRequested,
} from './webhook-command-requested.message';

const command: WebhookCommandRequested = {
  schemaVersion: 1,
  type: 'AutoPauseWebhook',
  webhookId: 'wh_0123456789abcdef0123456789abcdef',
  company: 'comp-uuid-1234',
  reason: '20 consecutive failed calls; last: HTTP 503 Service Unavailable',
  consecutiveFailures: 20,
  requestedAt: '2025-01-15T14:30:00.120Z',
  correlationId: '550e8400-e29b-41d4-a716-446655440000',
};

const paths = (result: ValidationResult<unknown>): Array<[string, string]> =>
  result.ok ? [] : result.errors.map((e) => [e.path, e.rule]);

describe('WebhookCommandRequested', () => {
  it('a valid message parses from bytes off the wire', () => {
    expect(parseWebhookCommandRequested(Buffer.from(JSON.stringify(command)))).toEqual({
      ok: true,
      value: command,
    });
  });

  it('carries schemaVersion 1, and another version is rejected', () => {
    expect(paths(validateWebhookCommandRequested(withValue(command, '/schemaVersion', 2)))).toEqual(
      [['/schemaVersion', 'const']],
    );
  });

  it('requires all eight fields', () => {
    expect(requiredPointers(WEBHOOK_COMMAND_REQUESTED_SCHEMA, command)).toEqual([
      '/schemaVersion',
      '/type',
      '/webhookId',
      '/company',
      '/reason',
      '/consecutiveFailures',
      '/requestedAt',
      '/correlationId',
    ]);
  });

  it.each(requiredPointers(WEBHOOK_COMMAND_REQUESTED_SCHEMA, command))(
    'without %s it is an error naming that field',
    (pointer) => {
      const result = validateWebhookCommandRequested(without(command, pointer));
      expect(paths(result)).toEqual([[pointer, 'required']]);
      expect(result.ok ? '' : result.errors[0]?.message).toContain(pointer.slice(1));
    },
  );

  it.each<[string, unknown, string]>([
    ['/type', 'PauseWebhook', 'enum'],
    ['/type', 'DeleteWebhook', 'enum'],
    ['/type', 42, 'type'],
    ['/webhookId', 'webhook-1', 'pattern'],
    ['/webhookId', 'wh_', 'pattern'],
    ['/webhookId', 'wh_has-dashes', 'pattern'],
    ['/consecutiveFailures', 0, 'minimum'],
    ['/consecutiveFailures', -3, 'minimum'],
    ['/consecutiveFailures', 2.5, 'type'],
    ['/consecutiveFailures', '20', 'type'],
    ['/company', '', 'minLength'],
    ['/reason', '', 'minLength'],
    ['/correlationId', '', 'minLength'],
    ['/requestedAt', '2025-01-15T14:30:00Z', 'pattern'],
  ])('%s = %j breaks rule %s', (pointer, value, rule) => {
    expect(
      paths(validateWebhookCommandRequested(withValue(command, pointer, value))),
    ).toContainEqual([pointer, rule]);
  });

  it('accepts fields added by a newer producer (rolling upgrades)', () => {
    expect(validateWebhookCommandRequested(withValue(command, '/lastStatusCode', 503)).ok).toBe(
      true,
    );
  });

  it('non-JSON and a tombstone (null value) are rejected, not thrown', () => {
    expect(paths(parseWebhookCommandRequested('nope'))).toEqual([['', 'json']]);
    expect(paths(parseWebhookCommandRequested(null))).toEqual([['', 'type']]);
  });
});
