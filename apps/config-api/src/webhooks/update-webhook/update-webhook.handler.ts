import { can } from '@hookline/access-data-access';
import type { EventType, IssueStatus, SealedHeader, WebhookType } from '@hookline/contracts';
import type { KeyRing } from '@hookline/shared-crypto';
import type { WebhookStore } from '@hookline/webhooks-data-access';
import {
  type FieldViolation,
  sameOrigin,
  type UpdateWebhook,
  validateWebhookInput,
  type Webhook,
  WebhookDomainError,
  type WebhookEvent,
  type WebhookInputOptions,
  type WebhookQuotas,
} from '@hookline/webhooks-domain';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KEY_RING, WEBHOOK_INPUT_OPTIONS, WEBHOOK_QUOTAS, WEBHOOK_STORE } from '../../tokens';
import { present } from '../execute-webhook-command';
import { toWebhookInput } from '../webhook-input.dto';
import { requestedSecret, resealHeaders, sealHeaders, sealSecret } from '../webhook-sealing';
import { toWebhookResponse } from '../webhook.response';
import { UpdateWebhookCommand } from './update-webhook.command';
import type { DroppedSecretsResponse, UpdateWebhookResponse } from './update-webhook.response';

@CommandHandler(UpdateWebhookCommand)
export class UpdateWebhookHandler implements ICommandHandler<UpdateWebhookCommand> {
  constructor(
    @Inject(WEBHOOK_STORE) private readonly store: WebhookStore,
    @Inject(KEY_RING) private readonly keyRing: KeyRing,
    @Inject(WEBHOOK_INPUT_OPTIONS) private readonly options: WebhookInputOptions,
    @Inject(WEBHOOK_QUOTAS) private readonly quotas: WebhookQuotas,
  ) {}

  async execute({
    principal,
    webhookId,
    request,
    correlationId,
    expectedVersion,
  }: UpdateWebhookCommand): Promise<UpdateWebhookResponse> {
    const input = toWebhookInput(request);
    const violations: FieldViolation[] = validateWebhookInput(input, this.options, 'update');
    const secret = requestedSecret(request, violations);
    if (violations.length > 0) throw WebhookDomainError.validationFailed(violations);

    // Header values are sealed for the origin they will be sent to, so the stored URL matters;
    // the command then applies only at the version read here.
    const current = await this.store.get(principal.company, webhookId);
    if (!current || current.deleted) {
      throw new WebhookDomainError('not_found', `webhook ${webhookId} not found`);
    }
    const url = input.url ?? current.url;
    const mayReveal = can(principal.role, 'secrets:reveal');
    const headers = this.headersFor(input.headers, current, url, mayReveal);

    const command: UpdateWebhook = {
      type: 'UpdateWebhook',
      webhookId,
      company: principal.company,
      now: new Date().toISOString(),
      expectedVersion: expectedVersion ?? current.version,
      keepSecretsAcrossOrigins: mayReveal,
      quotas: this.quotas,
      ...(input.name !== undefined ? { name: input.name.trim() } : {}),
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.type !== undefined ? { webhookType: input.type as WebhookType } : {}),
      ...(input.events !== undefined ? { events: input.events as EventType[] } : {}),
      ...(input.projectIds !== undefined ? { projectIds: input.projectIds } : {}),
      ...(input.statusFilter !== undefined
        ? { statusFilter: input.statusFilter as IssueStatus[] }
        : {}),
      ...(headers !== undefined ? { headers } : {}),
      ...(input.bodyTemplate !== undefined
        ? { bodyTemplate: input.bodyTemplate?.trim() ? input.bodyTemplate : null }
        : {}),
      ...(secret !== undefined ? { secret: sealSecret(this.keyRing, webhookId, secret) } : {}),
    };
    const { webhook, events } = await this.store.execute(command, {
      correlationId,
      causationId: correlationId,
      keyId: principal.keyId,
    });
    return {
      ...toWebhookResponse(present(webhook, webhookId)),
      dropped: droppedSecrets(current, events, input.headers !== undefined, secret !== undefined),
      ...(request.generateSecret === true && secret !== undefined ? { secret } : {}),
    };
  }

  /**
   * The headers to store: those given (sealed for the new URL), or, for a caller that may read
   * them and moves the URL to another origin, the stored ones sealed again for it. `undefined`
   * leaves them to the domain, which drops them on a move to another origin.
   */
  private headersFor(
    given: Readonly<Record<string, string>> | undefined,
    current: Webhook,
    url: string,
    mayReveal: boolean,
  ): SealedHeader[] | undefined {
    if (given !== undefined) return sealHeaders(this.keyRing, current.id, url, given);
    if (mayReveal && current.headers.length > 0 && !sameOrigin(current.url, url)) {
      return resealHeaders(this.keyRing, current.id, current.url, url, current.headers);
    }
    return undefined;
  }
}

function droppedSecrets(
  before: Webhook,
  events: readonly WebhookEvent[],
  headersGiven: boolean,
  secretGiven: boolean,
): DroppedSecretsResponse | null {
  const update = events.find((event) => event.type === 'WebhookUpdated');
  if (update?.type !== 'WebhookUpdated') return null;
  const { changes } = update.data;
  const headers =
    !headersGiven && changes.headers?.length === 0 ? before.headers.map((h) => h.name) : [];
  const secret = !secretGiven && changes.secret === null;
  if (headers.length === 0 && !secret) return null;
  return { headers, secret, reason: 'the url moved to another origin' };
}
