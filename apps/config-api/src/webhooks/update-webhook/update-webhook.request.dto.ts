import { WebhookFieldsWithSecretDto } from '../webhook-input.dto';

/**
 * Only the fields given change; `headers` replaces the whole set; `bodyTemplate: null` clears.
 * A `url` of another origin drops the headers and the signing secret unless they are given
 * again here (or the key may reveal secrets); `secret`/`generateSecret` set a new secret at once.
 */
export class UpdateWebhookRequestDto extends WebhookFieldsWithSecretDto {}
