import { WebhookFieldsDto } from '../webhook-input.dto';

/** Only the fields given change; `headers` replaces the whole set; `bodyTemplate: null` clears. */
export class UpdateWebhookRequestDto extends WebhookFieldsDto {}
