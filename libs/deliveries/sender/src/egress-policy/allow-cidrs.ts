import { isIP } from 'node:net';
import * as ipaddr from 'ipaddr.js';
import { EgressAllowListError } from './egress-allow-list.error';

/**
 * Parses the egress allow list (`HOOKLINE_EGRESS_ALLOW_CIDRS`): CIDRs separated by commas and/or
 * whitespace, e.g. `127.0.0.1/32, ::1/128`. Empty text means no exceptions. Returns the CIDRs in
 * normalised form, for {@link isAddressAllowed}.
 * @throws EgressAllowListError naming the first bad entry: not `address/prefix`, an address in a
 * non-canonical form, a prefix out of range, or host bits set (`10.0.0.1/8`, usually a typo).
 */
export function parseAllowCidrs(text: string): readonly string[] {
  return text
    .split(/[\s,]+/)
    .filter((entry) => entry !== '')
    .map(normaliseCidr);
}

function normaliseCidr(entry: string): string {
  const slash = entry.indexOf('/');
  if (slash < 0) {
    throw new EgressAllowListError(entry, 'is not a CIDR (write e.g. 127.0.0.1/32 or ::1/128)');
  }
  const addressText = entry.slice(0, slash);
  const prefixText = entry.slice(slash + 1);
  // node:net accepts only canonical forms; ipaddr.js alone would also read `127.1` or octal.
  const version = isIP(addressText);
  if (version === 0 || addressText.includes('%')) {
    throw new EgressAllowListError(entry, 'does not start with an IPv4 or IPv6 address');
  }
  const maxPrefix = version === 4 ? 32 : 128;
  if (!/^(?:0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > maxPrefix) {
    throw new EgressAllowListError(entry, `has a prefix length outside 0–${maxPrefix}`);
  }
  const prefix = Number(prefixText);
  const [address] = ipaddr.parseCIDR(entry);
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(entry)
      : ipaddr.IPv6.networkAddressFromCIDR(entry);
  if (network.toString() !== address.toString()) {
    throw new EgressAllowListError(
      entry,
      `has host bits set (the network is ${network.toString()}/${prefix})`,
    );
  }
  return `${address.toString()}/${prefix}`;
}
