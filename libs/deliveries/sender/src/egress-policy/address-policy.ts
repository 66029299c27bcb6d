import { isIP } from 'node:net';
import * as ipaddr from 'ipaddr.js';

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;

/** Whether the sender may connect to one resolved address, and if not, why. */
export type AddressVerdict =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** For the delivery history, e.g. `loopback`. */
      readonly reason: string;
      /** The refused range that matched, as a CIDR (`127.0.0.0/8`), or `invalid`. */
      readonly range: string;
    };

interface RefusedRange<T> {
  readonly cidr: string;
  readonly network: [T, number];
  readonly reason: string;
}

function ranges<T extends IPv4 | IPv6>(
  kind: 'ipv4' | 'ipv6',
  table: ReadonlyArray<readonly [string, string]>,
): readonly RefusedRange<T>[] {
  return table.map(([cidr, reason]) => {
    const network = ipaddr.parseCIDR(cidr);
    if (network[0].kind() !== kind) throw new Error(`${cidr} is not ${kind}`);
    return { cidr, network: network as [T, number], reason };
  });
}

// First match wins, so the narrower range comes first where two overlap.
const IPV4_REFUSED = ranges<IPv4>('ipv4', [
  ['0.0.0.0/8', 'unspecified ("this network") address'],
  ['10.0.0.0/8', 'private network (RFC 1918)'],
  ['100.64.0.0/10', 'carrier-grade NAT shared space (RFC 6598)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local (includes the 169.254.169.254 cloud metadata service)'],
  ['172.16.0.0/12', 'private network (RFC 1918)'],
  ['192.0.0.0/24', 'IETF protocol assignments (reserved)'],
  ['192.0.2.0/24', 'documentation (TEST-NET-1)'],
  ['192.88.99.0/24', 'deprecated 6to4 relay anycast (reserved)'],
  ['192.168.0.0/16', 'private network (RFC 1918)'],
  ['198.18.0.0/15', 'benchmarking (RFC 2544)'],
  ['198.51.100.0/24', 'documentation (TEST-NET-2)'],
  ['203.0.113.0/24', 'documentation (TEST-NET-3)'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved (future use)'],
]);

const IPV6_REFUSED = ranges<IPv6>('ipv6', [
  ['::/128', 'unspecified address'],
  ['::1/128', 'loopback'],
  ['fd00:ec2::254/128', 'AWS instance metadata service (IPv6)'],
  ['::/96', 'deprecated IPv4-compatible address (reserved)'],
  ['100::/64', 'discard-only (RFC 6666)'],
  ['64:ff9b:1::/48', 'local-use NAT64 (RFC 8215)'],
  ['2001:db8::/32', 'documentation'],
  ['2001:2::/48', 'benchmarking (RFC 5180)'],
  ['2001::/23', 'IETF protocol assignments (reserved)'],
  ['fc00::/7', 'unique local address (ULA)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'deprecated site-local'],
  ['ff00::/8', 'multicast'],
]);

const IPV4_MAPPED = ipaddr.IPv6.parseCIDR('::ffff:0:0/96');
const NAT64 = ipaddr.IPv6.parseCIDR('64:ff9b::/96');
const SIX_TO_FOUR = ipaddr.IPv6.parseCIDR('2002::/16');
const TEREDO = ipaddr.IPv6.parseCIDR('2001::/32');
const GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');

const ALLOWED: AddressVerdict = Object.freeze({ allowed: true });

/**
 * The SSRF address policy (architecture invariant 5), applied to each address a webhook's host
 * resolves to, at connect time. Refuses loopback, private, link-local (cloud metadata included),
 * CGNAT, multicast, broadcast, unspecified, reserved, documentation and benchmarking ranges of
 * both families, AWS's IPv6 metadata address, and IPv6 forms that carry a refused IPv4 address
 * (IPv4-mapped, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, Teredo `2001::/32`). IPv6 outside global
 * unicast `2000::/3` is refused too. An address inside one of `allow` (normalised CIDRs from
 * {@link parseAllowCidrs}; an IPv4-mapped address is matched as its IPv4 address) is allowed
 * whatever its range: that is how tests reach a loopback receiver. Only canonical address text
 * (what DNS resolution returns) is accepted; anything else is refused as `invalid`.
 */
export function isAddressAllowed(address: string, allow: readonly string[]): AddressVerdict {
  const parsed = parseAddress(address);
  if (parsed === undefined) {
    return { allowed: false, reason: 'not an IP address', range: 'invalid' };
  }
  if (isInAllowList(parsed, allow)) return ALLOWED;
  return parsed.kind() === 'ipv4' ? checkIPv4(parsed as IPv4) : checkIPv6(parsed as IPv6);
}

function parseAddress(address: string): IPv4 | IPv6 | undefined {
  // node:net accepts only canonical forms; ipaddr.js alone would also read `127.1`, `0x7f.0.0.1`
  // or octal, which no resolver returns and which are a classic way around naive checks.
  if (isIP(address) === 0) return undefined;
  try {
    return ipaddr.parse(address);
  } catch {
    return undefined;
  }
}

// The allow list comes from settings and is checked on every call: each CIDR is parsed once.
const ALLOW_NETWORKS = new Map<string, [IPv4 | IPv6, number]>();

function allowNetwork(cidr: string): [IPv4 | IPv6, number] {
  let network = ALLOW_NETWORKS.get(cidr);
  if (network === undefined) {
    network = ipaddr.parseCIDR(cidr);
    ALLOW_NETWORKS.set(cidr, network);
  }
  return network;
}

function isInAllowList(address: IPv4 | IPv6, allow: readonly string[]): boolean {
  if (allow.length === 0) return false;
  const candidates: (IPv4 | IPv6)[] = [address];
  if (address.kind() === 'ipv6' && (address as IPv6).isIPv4MappedAddress()) {
    candidates.push((address as IPv6).toIPv4Address());
  }
  return allow.some((cidr) => {
    const network = allowNetwork(cidr);
    return candidates.some(
      (candidate) => candidate.kind() === network[0].kind() && candidate.match(network),
    );
  });
}

function checkIPv4(address: IPv4, carrier?: string): AddressVerdict {
  const hit = IPV4_REFUSED.find((range) => address.match(range.network));
  if (hit !== undefined) return refused(hit.reason, hit.cidr, carrier);
  // ipaddr.js knows a few more special-purpose ranges (AS112, AMT); refuse those as well.
  const special = address.range();
  if (special !== 'unicast') return refused(`special-purpose range (${special})`, special, carrier);
  return ALLOWED;
}

function checkIPv6(address: IPv6): AddressVerdict {
  const embedded = embeddedIPv4(address);
  if (embedded !== undefined) {
    for (const ipv4 of embedded.addresses) {
      const verdict = checkIPv4(ipv4, embedded.carrier);
      if (!verdict.allowed) return verdict;
    }
    return ALLOWED;
  }
  const hit = IPV6_REFUSED.find((range) => address.match(range.network));
  if (hit !== undefined) return refused(hit.reason, hit.cidr);
  if (!address.match(GLOBAL_UNICAST)) {
    return refused('outside IPv6 global unicast (reserved)', '!2000::/3');
  }
  const special = address.range();
  if (special !== 'unicast') return refused(`special-purpose range (${special})`, special);
  return ALLOWED;
}

/** The IPv4 addresses an IPv6 address stands for, in the transition forms that embed them. */
function embeddedIPv4(address: IPv6): { carrier: string; addresses: readonly IPv4[] } | undefined {
  const bytes = address.toByteArray();
  const ipv4At = (offset: number, xor = 0): IPv4 =>
    new ipaddr.IPv4(bytes.slice(offset, offset + 4).map((byte) => byte ^ xor));
  if (address.match(IPV4_MAPPED)) {
    return { carrier: 'an IPv4-mapped (::ffff:0:0/96)', addresses: [ipv4At(12)] };
  }
  if (address.match(NAT64)) {
    return { carrier: 'a NAT64 (64:ff9b::/96)', addresses: [ipv4At(12)] };
  }
  if (address.match(SIX_TO_FOUR)) {
    return { carrier: 'a 6to4 (2002::/16)', addresses: [ipv4At(2)] };
  }
  if (address.match(TEREDO)) {
    // 2001:0:<server IPv4>:<flags>:<port ^ 0xffff>:<client IPv4 ^ 0xffffffff> (RFC 4380).
    return { carrier: 'a Teredo (2001::/32)', addresses: [ipv4At(12, 0xff), ipv4At(4)] };
  }
  return undefined;
}

function refused(reason: string, range: string, carrier?: string): AddressVerdict {
  return carrier === undefined
    ? { allowed: false, reason, range }
    : { allowed: false, reason: `${reason}, embedded in ${carrier} address`, range };
}
