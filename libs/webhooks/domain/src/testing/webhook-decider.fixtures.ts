import type { SealedSecret } from '@hookline/contracts';
import type { CreateWebhook, WebhookCommand } from '../webhook.command';
import { decide } from '../webhook.decider';
import { WebhookDomainError, type WebhookDomainErrorCode } from '../webhook.error';
import type { WebhookCreated, WebhookEvent } from '../webhook.event';
import { rehydrate } from '../webhook.evolve';

export const WEBHOOK_ID = 'wh_0123456789abcdef0123456789abcdef';
export const COMPANY = 'comp-uuid-1234';
export const T0 = '2025-01-15T14:30:00.000Z';
export const T1 = '2025-01-15T15:00:00.000Z';

export function sealed(tag: string): SealedSecret {
  return { alg: 'A256GCM', keyId: 'k1', ciphertext: `c${tag}` };
}

export function createCommand(overrides: Partial<CreateWebhook> = {}): CreateWebhook {
  return {
    type: 'CreateWebhook',
    webhookId: WEBHOOK_ID,
    company: COMPANY,
    now: T0,
    name: 'Slack Notifications',
    url: 'https://hooks.example.com/services/T000/B000',
    webhookType: 'slack',
    events: ['scan.completed', 'issue.status_changed'],
    projectIds: [],
    statusFilter: ['fixed'],
    headers: [{ name: 'X-Api-Key', value: sealed('hdr') }],
    bodyTemplate: null,
    secret: sealed('secret1'),
    ...overrides,
  };
}

export function created(overrides: Partial<CreateWebhook> = {}): WebhookCreated {
  const [event] = decide(createCommand(overrides), undefined);
  if (event?.type !== 'WebhookCreated') throw new Error('fixture: create did not create');
  return event;
}

/** given(events).when(command).then(events) / .thenThrows(code). */
export function given(...history: WebhookEvent[]) {
  const state = rehydrate(history);
  return {
    when(command: WebhookCommand) {
      const run = () => decide(command, state);
      return {
        then(expected: WebhookEvent[]): void {
          const events = run();
          expect(events).toEqual(expected);
          // Stored as jsonb: what is decided must survive JSON unchanged.
          expect(JSON.parse(JSON.stringify(events))).toEqual(events);
        },
        thenThrows(code: WebhookDomainErrorCode): WebhookDomainError {
          let caught: unknown;
          try {
            run();
          } catch (error: unknown) {
            caught = error;
          }
          expect(caught).toBeInstanceOf(WebhookDomainError);
          const error = caught as WebhookDomainError;
          expect(error.code).toBe(code);
          return error;
        },
      };
    },
  };
}
