/**
 * The connect-time SSRF guard refused an address the webhook host is (or resolves to). Raised
 * inside the agents' `lookup` (so the address checked is the one dialed) and for IP-literal
 * hosts before the request is sent. The sender reports it as `blocked_by_policy`.
 */
export class EgressBlockedError extends Error {
  readonly code = 'EGRESS_BLOCKED';

  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string,
    readonly range: string,
  ) {
    super(
      host === address
        ? `address ${address} is not allowed (${reason}, ${range})`
        : `${host} resolves to ${address}, which is not allowed (${reason}, ${range})`,
    );
    this.name = 'EgressBlockedError';
  }
}
