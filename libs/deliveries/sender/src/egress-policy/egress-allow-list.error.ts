/** A `HOOKLINE_EGRESS_ALLOW_CIDRS` entry that is not a CIDR; the message names the entry. */
export class EgressAllowListError extends Error {
  readonly code = 'INVALID_EGRESS_ALLOW_CIDR' as const;

  constructor(
    /** The offending entry, as written. */
    readonly entry: string,
    problem: string,
  ) {
    super(`HOOKLINE_EGRESS_ALLOW_CIDRS: entry ${JSON.stringify(entry)} ${problem}`);
    this.name = 'EgressAllowListError';
  }
}
