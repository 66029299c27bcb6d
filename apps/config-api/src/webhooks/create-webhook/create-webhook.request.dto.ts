import { WebhookFieldsWithSecretDto } from '../webhook-input.dto';

export class CreateWebhookRequestDto extends WebhookFieldsWithSecretDto {}
