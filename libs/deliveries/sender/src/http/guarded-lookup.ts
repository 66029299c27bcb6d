import * as dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isAddressAllowed } from '../egress-policy/address-policy';
import { EgressBlockedError } from './egress-blocked.error';

/** How the guard resolves a host; `dns.lookup` with `all: true` in production. */
export type ResolveAll = (hostname: string) => Promise<dns.LookupAddress[]>;

const systemResolveAll: ResolveAll = (hostname) => dns.promises.lookup(hostname, { all: true });

/** Throws {@link EgressBlockedError} when `address` is refused by the policy. */
export function assertAddressAllowed(
  host: string,
  address: string,
  allow: readonly string[],
): void {
  const verdict = isAddressAllowed(address, allow);
  if (!verdict.allowed) throw new EgressBlockedError(host, address, verdict.reason, verdict.range);
}

/**
 * A `lookup` for `net.connect` (set on the sender's agents): resolves every address of the host,
 * refuses the connection when ANY of them is refused by the policy, and hands the checked
 * addresses to the socket, so the address dialed is the address checked (no DNS-rebinding gap).
 * Answers in the shape Node asked for: an array with `all: true` (Happy Eyeballs), else one.
 */
export function createGuardedLookup(
  allow: readonly string[],
  resolveAll: ResolveAll = systemResolveAll,
): LookupFunction {
  return (hostname, options, callback) => {
    resolveAll(hostname).then(
      (resolved) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        try {
          for (const { address } of resolved) assertAddressAllowed(hostname, address, allow);
        } catch (error) {
          callback(error as NodeJS.ErrnoException, '', 0);
          return;
        }
        const usable = family === 0 ? resolved : resolved.filter((a) => a.family === family);
        if (usable.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          error.code = 'ENOTFOUND';
          callback(error, '', 0);
          return;
        }
        if (options.all === true) {
          callback(null, usable);
        } else {
          const first = usable[0] as dns.LookupAddress;
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
