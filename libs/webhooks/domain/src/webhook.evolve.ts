import type { Webhook } from './webhook';
import type { WebhookEvent } from './webhook.event';

/**
 * Applies one stored event. Each event adds one to `version`; each but a reseal (no change a
 * user made) sets `updatedAt`.
 * @throws Error on an impossible stream (an event before WebhookCreated, a second
 *   WebhookCreated, an unknown type or schema version): a bug or a corrupt store, not a user error.
 */
export function evolve(state: Webhook | undefined, event: WebhookEvent): Webhook {
  if (event.schemaVersion !== 1) {
    throw new Error(
      `${String(event.type)} schemaVersion ${String(event.schemaVersion)} is unknown`,
    );
  }
  if (event.type === 'WebhookCreated') {
    if (state !== undefined) throw new Error(`webhook ${state.id} is created twice`);
    const d = event.data;
    return {
      id: d.webhookId,
      company: d.company,
      name: d.name,
      url: d.url,
      type: d.type,
      events: [...d.events],
      projectIds: [...d.projectIds],
      statusFilter: [...d.statusFilter],
      headers: d.headers.map((h) => ({ name: h.name, value: { ...h.value } })),
      bodyTemplate: d.bodyTemplate,
      secret: d.secret === null ? null : { ...d.secret },
      previousSecret: null,
      status: 'active',
      pausedReason: null,
      pausedAt: null,
      createdAt: d.createdAt,
      updatedAt: d.createdAt,
      version: 1,
      deleted: false,
    };
  }
  if (state === undefined) throw new Error(`${event.type} before WebhookCreated`);
  const next = { ...state, version: state.version + 1 };
  switch (event.type) {
    case 'WebhookUpdated': {
      const c = event.data.changes;
      return {
        ...next,
        ...(c.name !== undefined ? { name: c.name } : {}),
        ...(c.url !== undefined ? { url: c.url } : {}),
        ...(c.type !== undefined ? { type: c.type } : {}),
        ...(c.events !== undefined ? { events: [...c.events] } : {}),
        ...(c.projectIds !== undefined ? { projectIds: [...c.projectIds] } : {}),
        ...(c.statusFilter !== undefined ? { statusFilter: [...c.statusFilter] } : {}),
        ...(c.headers !== undefined
          ? { headers: c.headers.map((h) => ({ name: h.name, value: { ...h.value } })) }
          : {}),
        ...(c.bodyTemplate !== undefined ? { bodyTemplate: c.bodyTemplate } : {}),
        ...(c.secret !== undefined
          ? { secret: c.secret === null ? null : { ...c.secret }, previousSecret: null }
          : {}),
        updatedAt: event.data.updatedAt,
      };
    }
    case 'WebhookPaused':
      return {
        ...next,
        status: 'paused',
        pausedReason: 'manual',
        pausedAt: event.data.pausedAt,
        updatedAt: event.data.pausedAt,
      };
    case 'WebhookAutoPaused':
      return {
        ...next,
        status: 'paused',
        pausedReason: 'auto',
        pausedAt: event.data.pausedAt,
        updatedAt: event.data.pausedAt,
      };
    case 'WebhookActivated':
      return {
        ...next,
        activatedAtVersion: next.version,
        status: 'active',
        pausedReason: null,
        pausedAt: null,
        updatedAt: event.data.activatedAt,
      };
    case 'WebhookSecretRotated':
      return {
        ...next,
        secret: { ...event.data.secret },
        previousSecret:
          event.data.previousSecret === null
            ? null
            : {
                value: { ...event.data.previousSecret.value },
                validUntil: event.data.previousSecret.validUntil,
              },
        updatedAt: event.data.rotatedAt,
      };
    case 'WebhookDeleted':
      return { ...next, deleted: true, updatedAt: event.data.deletedAt };
    case 'WebhookSecretsResealed': {
      const d = event.data;
      return {
        ...next,
        secret: d.secret === null ? null : { ...d.secret },
        previousSecret:
          state.previousSecret === null || d.previousSecret === null
            ? null
            : { value: { ...d.previousSecret }, validUntil: state.previousSecret.validUntil },
        headers: d.headers.map((h) => ({ name: h.name, value: { ...h.value } })),
      };
    }
    default:
      return unknownEvent(event);
  }
}

/** Folds a stream from its first event; `undefined` for an empty stream. */
export function rehydrate(events: readonly WebhookEvent[]): Webhook | undefined {
  return events.reduce<Webhook | undefined>(evolve, undefined);
}

function unknownEvent(event: never): never {
  throw new Error(`unknown webhook event ${JSON.stringify((event as { type?: unknown }).type)}`);
}
