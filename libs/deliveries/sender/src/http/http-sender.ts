import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import * as tls from 'node:tls';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import {
  classifyHttpStatus,
  parseRetryAfter,
  type AttemptOutcome,
  type FailureClass,
} from '@hookline/deliveries-domain';
import { EgressBlockedError } from './egress-blocked.error';
import { assertAddressAllowed, createGuardedLookup, type ResolveAll } from './guarded-lookup';

export interface HttpSenderOptions {
  /** Ranges opened before the SSRF policy refuses anything (`parseAllowCidrs`); usually empty. */
  allowCidrs: readonly string[];
  /** Total deadline of one attempt: connect, headers and the whole (capped) body. */
  timeoutMs?: number;
  /** How much of the response body is kept for the delivery log; the rest is not read. */
  maxResponseBytes?: number;
  /** An extra trusted CA (PEM) on top of Node's bundled roots, e.g. a test receiver's. */
  extraCa?: string | Buffer;
  /** Pooled keep-alive sockets per host and protocol. */
  maxSocketsPerHost?: number;
  /** Test seam: how hostnames are resolved (default `dns.lookup` with `all: true`). */
  resolveAll?: ResolveAll;
}

export interface HttpSendInput {
  url: string;
  headers: Readonly<Record<string, string>>;
  /** The exact bytes to send (every signature is over them). */
  body: Buffer;
}

/** What the endpoint answered, when it answered; kept for the delivery log. */
export interface HttpResponseDetails {
  /** The first `maxResponseBytes` bytes of the (decompressed) body, as UTF-8 text. */
  responseBody?: string;
  /** True when the body was longer than `maxResponseBytes` and was cut. */
  responseTruncated?: boolean;
  /** Lower-case names; repeated headers joined with `, `. */
  responseHeaders?: Record<string, string>;
}

/** The domain's outcome plus what the endpoint answered. */
export type HttpSendResult = AttemptOutcome & HttpResponseDetails;

export const HTTP_SENDER_DEFAULTS = Object.freeze({
  timeoutMs: 10_000,
  maxResponseBytes: 8192,
  maxSocketsPerHost: 10,
});

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NODATA', 'EAI_FAIL', 'EAI_NONAME']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED_BY_PEER']);
const TLS_CODES = new Set([
  'EPROTO',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

class DeadlineExceeded extends Error {
  constructor(timeoutMs: number) {
    super(`no complete response within ${timeoutMs} ms`);
    this.name = 'DeadlineExceeded';
  }
}

/**
 * The outbound HTTP call of one delivery attempt (axios over pooled keep-alive agents).
 *
 * - SSRF: the agents' `lookup` checks every resolved address at connect time; IP-literal hosts
 *   (which skip `lookup`) are checked before sending. Redirects are never followed.
 * - One total deadline (`timeoutMs`) covers connect, headers and body; a slow-drip answer is cut.
 * - At most `maxResponseBytes` of the body is read; the stream is then destroyed.
 * - `send` never throws for network or HTTP failures: it classifies them as a `FailureClass`.
 *
 * Call {@link close} on shutdown to free pooled sockets.
 */
export class HttpSender {
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly allowCidrs: readonly string[];
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly client: AxiosInstance;

  constructor(options: HttpSenderOptions) {
    this.allowCidrs = [...options.allowCidrs];
    this.timeoutMs = positiveInteger(
      'timeoutMs',
      options.timeoutMs,
      HTTP_SENDER_DEFAULTS.timeoutMs,
    );
    this.maxResponseBytes = positiveInteger(
      'maxResponseBytes',
      options.maxResponseBytes,
      HTTP_SENDER_DEFAULTS.maxResponseBytes,
    );
    const maxSockets = positiveInteger(
      'maxSocketsPerHost',
      options.maxSocketsPerHost,
      HTTP_SENDER_DEFAULTS.maxSocketsPerHost,
    );
    const lookup = createGuardedLookup(this.allowCidrs, options.resolveAll);
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets, lookup });
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets,
      lookup,
      // One secure context built once: a `ca` list in the agent options would be re-read for
      // every TLS connection and folded into the pool key of every request.
      ...(options.extraCa === undefined
        ? {}
        : {
            secureContext: tls.createSecureContext({
              ca: [...tls.rootCertificates, options.extraCa],
            }),
          }),
    });
    this.client = axios.create({
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      proxy: false,
      maxRedirects: 0,
      decompress: true,
      validateStatus: () => true,
      responseType: 'stream',
      timeout: this.timeoutMs,
      transformRequest: [(data: unknown) => data],
    });
  }

  /** Sends one attempt; resolves with its classified outcome (never rejects for I/O failures). */
  async send(input: HttpSendInput): Promise<HttpSendResult> {
    const started = performance.now();
    const elapsed = (): number => Math.max(0, Math.round(performance.now() - started));

    let target: URL;
    try {
      target = new URL(input.url);
    } catch {
      return fail('other', 'invalid URL', elapsed());
    }
    if (target.protocol !== 'https:' && target.protocol !== 'http:') {
      return fail('other', `unsupported protocol ${target.protocol}`, elapsed());
    }
    const host = stripBrackets(target.hostname);
    if (isIP(host) !== 0) {
      try {
        assertAddressAllowed(host, host, this.allowCidrs);
      } catch (error) {
        return fail('blocked_by_policy', (error as Error).message, elapsed());
      }
    }

    const controller = new AbortController();
    let timedOut = false;
    // Set once the headers are in; the deadline timer destroys it (a slow-drip body).
    const inFlight: { stream?: Readable } = {};
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DeadlineExceeded(this.timeoutMs));
      inFlight.stream?.destroy(new DeadlineExceeded(this.timeoutMs));
    }, this.timeoutMs);

    let response: AxiosResponse<Readable>;
    try {
      response = await this.client.request<Readable>({
        method: 'POST',
        url: target.toString(),
        headers: { ...input.headers },
        data: input.body,
        signal: controller.signal,
      });
    } catch (error) {
      clearTimeout(timer);
      return classifyError(error, timedOut, this.timeoutMs, elapsed());
    }

    const statusCode = response.status;
    const responseHeaders = flattenHeaders(response.headers);
    const stream = response.data;
    inFlight.stream = stream;
    let body: { text: string; truncated: boolean };
    try {
      if (timedOut) throw new DeadlineExceeded(this.timeoutMs);
      body = await readCapped(stream, this.maxResponseBytes);
    } catch (error) {
      stream.destroy();
      const failed = classifyError(error, timedOut, this.timeoutMs, elapsed());
      return { ...failed, statusCode, responseHeaders } as HttpSendResult;
    } finally {
      clearTimeout(timer);
    }

    const details: HttpResponseDetails = {
      responseBody: body.text,
      responseTruncated: body.truncated,
      responseHeaders,
    };
    const status = classifyHttpStatus(statusCode);
    if (status.ok) return { ok: true, statusCode, durationMs: elapsed(), ...details };
    const retryAfterSeconds =
      statusCode === 429 || statusCode === 503
        ? parseRetryAfter(responseHeaders['retry-after'], new Date())
        : undefined;
    const location = responseHeaders['location'];
    const message =
      status.failure === 'redirect'
        ? `HTTP ${statusCode} redirect not followed${location === undefined ? '' : ` (to ${location})`}`
        : `HTTP ${statusCode}${response.statusText ? ` ${response.statusText}` : ''}`;
    return {
      ok: false,
      failure: status.failure,
      statusCode,
      message,
      durationMs: elapsed(),
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      ...details,
    };
  }

  /** Destroys the pooled sockets. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`HttpSender ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function stripBrackets(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function fail(failure: FailureClass, message: string, durationMs: number): HttpSendResult {
  return { ok: false, failure, message, durationMs };
}

/** Reads up to `max` bytes, then destroys the stream (the rest is never downloaded). */
function readCapped(stream: Readable, max: number): Promise<{ text: string; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (truncated: boolean): void => {
      if (settled) return;
      settled = true;
      const bytes = Buffer.concat(chunks, Math.min(size, max)).subarray(0, max);
      resolve({ text: bytes.toString('utf8'), truncated });
    };
    stream.on('data', (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(buffer);
      size += buffer.length;
      if (size > max) {
        finish(true);
        stream.destroy();
      }
    });
    stream.on('end', () => finish(false));
    stream.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
    stream.on('close', () => {
      if (settled) return;
      settled = true;
      reject(Object.assign(new Error('response closed before its end'), { code: 'ECONNRESET' }));
    });
  });
}

function flattenHeaders(headers: unknown): Record<string, string> {
  const flat: Record<string, string> = {};
  const source =
    headers !== null &&
    typeof headers === 'object' &&
    'toJSON' in headers &&
    typeof headers.toJSON === 'function'
      ? (headers.toJSON() as Record<string, unknown>)
      : (headers as Record<string, unknown>);
  for (const [name, value] of Object.entries(source ?? {})) {
    if (value === undefined || value === null) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return flat;
}

/** The chain of an error and its `cause`s (axios wraps the socket's error). */
function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 8) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function classifyError(
  error: unknown,
  timedOut: boolean,
  timeoutMs: number,
  durationMs: number,
): HttpSendResult {
  const chain = errorChain(error);
  const blocked = chain.find((e): e is EgressBlockedError => e instanceof EgressBlockedError);
  if (blocked !== undefined) return fail('blocked_by_policy', blocked.message, durationMs);
  const codes = chain.map(codeOf).filter((c): c is string => c !== undefined);
  const deadline = chain.some((e) => e instanceof DeadlineExceeded);
  if (timedOut || deadline || codes.includes('ETIMEDOUT')) {
    return fail('timeout', `no complete response within ${timeoutMs} ms`, durationMs);
  }
  const detail = describe(chain);
  if (codes.some((c) => DNS_CODES.has(c))) return fail('dns', detail, durationMs);
  if (codes.includes('ECONNREFUSED')) return fail('connection_refused', detail, durationMs);
  if (codes.some((c) => TLS_CODES.has(c) || c.startsWith('ERR_TLS_') || c.startsWith('ERR_SSL_'))) {
    return fail('tls', detail, durationMs);
  }
  if (codes.some((c) => RESET_CODES.has(c))) return fail('connection_reset', detail, durationMs);
  if (codes.includes('ECONNABORTED')) {
    // axios' own `timeout` (a backstop to the deadline timer) reports ECONNABORTED.
    return fail('timeout', `no complete response within ${timeoutMs} ms`, durationMs);
  }
  return fail('other', detail, durationMs);
}

function describe(chain: unknown[]): string {
  const innermost = chain[chain.length - 1];
  const code = codeOf(innermost);
  const message = innermost instanceof Error ? innermost.message : String(innermost);
  return code === undefined || message.includes(code) ? message : `${code}: ${message}`;
}
