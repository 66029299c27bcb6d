import * as net from 'node:net';
import { InfraError } from './infra-error';

/** A port a service of ours needs, and the variable that moves it. */
export interface PortClaim {
  readonly service: string;
  readonly port: number;
  readonly variable: string;
}

/** True when nothing listens on host:port, found by binding it (and letting go at once). */
export function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(false);
      else reject(error);
    });
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** True when something accepts a TCP connection on host:port within the timeout. */
export function isPortServing(port: number, host: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (serving: boolean): void => {
      socket.destroy();
      resolve(serving);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The claims whose port is already taken. */
export async function findPortConflicts(
  claims: readonly PortClaim[],
  host: string,
): Promise<PortClaim[]> {
  const conflicts: PortClaim[] = [];
  for (const claim of claims) {
    if (!(await isPortFree(claim.port, host))) conflicts.push(claim);
  }
  return conflicts;
}

/**
 * Names each taken port and the variable that moves it. Picking another port silently would
 * leave `.env` files, running apps and other shells pointing at the old one, so the user decides.
 */
export function describePortConflicts(
  conflicts: readonly PortClaim[],
  host: string,
  alternative?: string,
): string {
  const lines = conflicts.map(
    (claim) =>
      `${claim.service} needs ${host}:${claim.port}, but something that Hookline did not start ` +
      `already listens there. Stop it, or choose another port with ${claim.variable}=<port>.`,
  );
  if (alternative !== undefined) lines.push(alternative);
  return lines.join('\n');
}

/** Throws a PORT_IN_USE error naming every taken port of `claims`, with `alternative` after them. */
export async function assertPortsFree(
  claims: readonly PortClaim[],
  host: string,
  alternative: string,
): Promise<void> {
  const conflicts = await findPortConflicts(claims, host);
  if (conflicts.length > 0) {
    throw new InfraError('PORT_IN_USE', describePortConflicts(conflicts, host, alternative));
  }
}
