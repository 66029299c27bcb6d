import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { createTestCa, type TestCa } from './test-ca';

/** One request as the receiver got it. */
export interface ReceivedRequest {
  readonly method: string;
  /** The path without the query string; behaviours and `requests(path)` match on it. */
  readonly path: string;
  /** The request target as sent, query string included. */
  readonly url: string;
  /** Lower-cased names, as node gives them. */
  readonly headers: IncomingHttpHeaders;
  /** The exact bytes received, e.g. to verify a signature. */
  readonly rawBody: Buffer;
  /** `rawBody` as UTF-8. */
  readonly body: string;
  /** `Date.now()` once the whole body had arrived. */
  readonly receivedAt: number;
}

export interface CannedResponse {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

/** How the receiver answers requests to one path. */
export type ReceiverBehaviour =
  | CannedResponse
  /** The n-th request gets the n-th response; the last one repeats. */
  | { readonly sequence: readonly CannedResponse[] }
  /** Reads the request and never answers; the socket stays open until `close()`. */
  | { readonly hang: true }
  | { readonly redirectTo: string; readonly status?: 301 | 302 | 307 }
  /** 200 with a body of this many bytes. */
  | { readonly bodyBytes: number }
  /** 200 headers at once, then one byte every `intervalMs` until `totalMs` have passed. */
  | { readonly drip: { readonly intervalMs: number; readonly totalMs: number } };

export interface HttpsReceiverOptions {
  /** Default 0: any free port. */
  readonly port?: number;
  /**
   * A loopback address to listen on, default `127.0.0.1`. The certificate also names
   * `127.0.0.2`: a receiver there lets a test allow exactly it while 127.0.0.1 stays refused.
   */
  readonly host?: '127.0.0.1' | '127.0.0.2';
  /** Default: the process-wide `createTestCa()`. */
  readonly ca?: TestCa;
  /** Behaviours to start with, by path; `on()` adds or replaces them later. */
  readonly behaviours?: Readonly<Record<string, ReceiverBehaviour>>;
}

export interface WaitForOptions {
  /** Count only requests to this path; default every path. */
  readonly path?: string;
  /** Default 30 000. */
  readonly timeoutMs?: number;
}

export interface HttpsReceiver {
  readonly port: number;
  /** The CA whose certificate a client must trust to talk to this receiver. */
  readonly ca: TestCa;
  /** `https://<host>:<port><path>`. */
  url(path: string): string;
  /** Sets how requests to `path` are answered from now on, restarting its sequence. */
  on(path: string, behaviour: ReceiverBehaviour): HttpsReceiver;
  /** Requests received so far, oldest first: all of them, or those to `path`. */
  requests(path?: string): ReceivedRequest[];
  /** Requests to `path` received and not yet answered or abandoned by their client. */
  inFlight(path: string): number;
  /** The most requests to `path` open at once since the start (or the last `reset`). */
  maxInFlight(path: string): number;
  /**
   * Resolves with the requests (to `options.path`, or all) once at least `count` have arrived;
   * rejects after `options.timeoutMs` saying how many did.
   */
  waitFor(count: number, options?: WaitForOptions): Promise<ReceivedRequest[]>;
  /** Forgets recorded requests and behaviours set by `on()`, back to the state at start. */
  reset(): void;
  /** Destroys every open socket, hanging and dripping ones included, and stops listening. */
  close(): Promise<void>;
}

const DEFAULT_RESPONSE: CannedResponse = { status: 200, body: 'ok' };
// Longer than any client's idle timeout, so a pooled connection is never closed under a
// client that is about to reuse it (a source of spurious ECONNRESET in benchmarks).
const KEEP_ALIVE_TIMEOUT_MS = 120_000;

/** A request's arrival, and how many to its path were open then, until its turn is settled. */
interface Arrival {
  readonly path: string;
  readonly seq: number;
  count: number;
}

interface Waiter {
  readonly count: number;
  readonly path: string | undefined;
  readonly resolve: (requests: ReceivedRequest[]) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * A local HTTPS server on 127.0.0.1 with a certificate from a throwaway test CA, standing in
 * for a subscriber's endpoint: it records every request and answers each path as programmed.
 * Unknown paths get 200 `ok`.
 */
export async function startHttpsReceiver(
  options: HttpsReceiverOptions = {},
): Promise<HttpsReceiver> {
  const ca = options.ca ?? (await createTestCa());
  const host = options.host ?? '127.0.0.1';
  const received: ReceivedRequest[] = [];
  const behaviours = new Map<string, { behaviour: ReceiverBehaviour; answered: number }>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<Waiter>();
  // Requests open now and at most, by path: from the whole body's arrival to the response's end
  // or the client giving up (its FIN; see `track`).
  const open = new Map<string, number>();
  const peak = new Map<string, number>();

  const requestsTo = (path?: string): ReceivedRequest[] =>
    path === undefined ? [...received] : received.filter((r) => r.path === path);

  const settleWaiters = (): void => {
    for (const waiter of waiters) {
      const matching = requestsTo(waiter.path);
      if (matching.length >= waiter.count) {
        waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(matching);
      }
    }
  };

  /**
   * Counts a request open from its body's arrival to the first of its response's close and its
   * client's FIN. node emits a socket's `close` a turn of the event loop or more after it read the
   * FIN, while a request that came on another socket in the same read is parsed at once: a client
   * that gave up on one call and then made the next (a worker holding an endpoint limit) looked
   * like one call too many whenever the receiver's loop was busy. So each arrival's count stays
   * open until the loop is done with this turn's reads; a FIN read meanwhile takes its request out
   * of the counts of those that came after it. Calls that overlap by less than one turn of a busy
   * loop are not told apart from calls one after the other.
   */
  let turn: Arrival[] = [];
  let arrivals = 0;
  const settleTurn = (): void => {
    for (const { path, count } of turn) peak.set(path, Math.max(peak.get(path) ?? 0, count));
    turn = [];
  };
  const track = (path: string, socket: Socket, res: ServerResponse): void => {
    const seq = arrivals++;
    let counted = true;
    const leave = (byClient: boolean): void => {
      if (!counted) return;
      counted = false;
      socket.removeListener('end', onFin);
      open.set(path, (open.get(path) ?? 1) - 1);
      if (byClient) {
        for (const arrival of turn)
          if (arrival.path === path && arrival.seq > seq) arrival.count -= 1;
      }
    };
    const onFin = (): void => leave(true);
    const count = (open.get(path) ?? 0) + 1;
    open.set(path, count);
    if (turn.length === 0) setImmediate(settleTurn);
    turn.push({ path, seq, count });
    socket.once('end', onFin);
    res.once('close', () => leave(false));
  };

  const answer = (res: ServerResponse, behaviour: ReceiverBehaviour, nth: number): void => {
    if ('hang' in behaviour) return;
    if ('sequence' in behaviour) {
      const { sequence } = behaviour;
      sendCanned(res, sequence[Math.min(nth, sequence.length - 1)] ?? DEFAULT_RESPONSE);
    } else if ('redirectTo' in behaviour) {
      res.writeHead(behaviour.status ?? 302, { location: behaviour.redirectTo });
      res.end();
    } else if ('bodyBytes' in behaviour) {
      const body = Buffer.alloc(behaviour.bodyBytes, 'x');
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
      res.end(body);
    } else if ('drip' in behaviour) {
      drip(res, behaviour.drip.intervalMs, behaviour.drip.totalMs);
    } else {
      sendCanned(res, behaviour);
    }
  };

  const drip = (res: ServerResponse, intervalMs: number, totalMs: number): void => {
    const startedAt = Date.now();
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.flushHeaders();
    const timer = setInterval(() => {
      if (res.destroyed) return stop();
      if (Date.now() - startedAt >= totalMs) {
        stop();
        res.end();
      } else {
        res.write('x');
      }
    }, intervalMs);
    timers.add(timer);
    const stop = (): void => {
      clearInterval(timer);
      timers.delete(timer);
    };
    res.once('close', stop);
  };

  const server = https.createServer(
    {
      key: ca.keyPem,
      cert: ca.certPem,
      keepAlive: true,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      // Must outlast keepAliveTimeout, or node ends idle sockets at the smaller of the two.
      headersTimeout: KEEP_ALIVE_TIMEOUT_MS + 1_000,
      // A hanging request must stay open until close(), whatever the default.
      requestTimeout: 0,
    },
    (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = req.url ?? '/';
        const path = url.split('?')[0] ?? url;
        const rawBody = Buffer.concat(chunks);
        received.push({
          method: req.method ?? '',
          path,
          url,
          headers: req.headers,
          rawBody,
          body: rawBody.toString('utf8'),
          receivedAt: Date.now(),
        });
        track(path, req.socket, res);
        const entry = behaviours.get(path);
        const nth = entry ? entry.answered++ : 0;
        answer(res, entry?.behaviour ?? DEFAULT_RESPONSE, nth);
        settleWaiters();
      });
    },
  );
  // Raw TCP sockets, so close() also ends those still in (or stuck in) the TLS handshake.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const receiver: HttpsReceiver = {
    port,
    ca,
    url: (path) => `https://${host}:${port}${path}`,
    on: (path, behaviour) => {
      behaviours.set(path, { behaviour, answered: 0 });
      return receiver;
    },
    requests: requestsTo,
    inFlight: (path) => open.get(path) ?? 0,
    maxInFlight: (path) =>
      turn.reduce(
        (most, arrival) => (arrival.path === path ? Math.max(most, arrival.count) : most),
        peak.get(path) ?? 0,
      ),
    waitFor: (count, { path, timeoutMs = 30_000 } = {}) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const got = requestsTo(path).length;
          reject(
            new Error(
              `Expected ${count} request(s) to ${path ?? 'any path'} on ${receiver.url('')} ` +
                `within ${timeoutMs} ms, but ${got} arrived.`,
            ),
          );
        }, timeoutMs);
        const waiter: Waiter = { count, path, resolve, reject, timer };
        waiters.add(waiter);
        settleWaiters();
      }),
    reset: () => {
      received.length = 0;
      peak.clear();
      turn = [];
      for (const [path, count] of open) peak.set(path, count);
      behaviours.clear();
      for (const [path, behaviour] of Object.entries(options.behaviours ?? {})) {
        receiver.on(path, behaviour);
      }
    },
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      timers.clear();
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`The receiver at ${receiver.url('')} was closed.`));
      }
      waiters.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
  receiver.reset();
  return receiver;
}

function sendCanned(res: ServerResponse, response: CannedResponse): void {
  const body = response.body ?? '';
  res.writeHead(response.status, {
    'content-type': 'text/plain',
    'content-length': Buffer.byteLength(body),
    ...Object.fromEntries(
      Object.entries(response.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    ),
  });
  res.end(body);
}
