import type { Principal } from '../../auth/principal';

export class RetryDeliveryCommand {
  constructor(
    readonly principal: Principal,
    readonly deliveryId: string,
    readonly correlationId: string,
  ) {}
}
