import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpSender, type HttpSendResult } from './http-sender';

const LOOPBACK = ['127.0.0.1/32'];

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

interface TestServer {
  url: string;
  port: number;
  received: Received[];
  connections: number;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void;

const open: TestServer[] = [];
const senders: HttpSender[] = [];

function sender(options: Partial<ConstructorParameters<typeof HttpSender>[0]> = {}): HttpSender {
  const created = new HttpSender({ allowCidrs: LOOPBACK, ...options });
  senders.push(created);
  return created;
}

async function listen(
  server: http.Server | https.Server,
  scheme: 'http' | 'https',
): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const state: TestServer = {
    url: '',
    port: 0,
    received: [],
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  server.on(scheme === 'https' ? 'secureConnection' : 'connection', (socket: Socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `${scheme}://127.0.0.1:${state.port}`;
  open.push(state);
  return state;
}

function withBody(handler: Handler, received: () => Received[]): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received().push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  };
}

async function startServer(handler: Handler): Promise<TestServer> {
  const holder: { state?: TestServer } = {};
  const server = http.createServer(withBody(handler, () => holder.state?.received ?? []));
  holder.state = await listen(server, 'http');
  return holder.state;
}

const send = (s: HttpSender, url: string, body = '{"a":1}'): Promise<HttpSendResult> =>
  s.send({ url, headers: { 'Content-Type': 'application/json' }, body: Buffer.from(body) });

afterEach(async () => {
  for (const s of senders.splice(0)) s.close();
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('HttpSender over real local servers', () => {
  it('a 200 succeeds with the status, the body and the headers of the answer', async () => {
    const server = await startServer((_req, res) => {
      res.setHeader('X-Receiver', 'yes');
      res.end('thanks');
    });
    const result = await send(sender(), `${server.url}/hook`);
    expect(result).toMatchObject({
      ok: true,
      statusCode: 200,
      responseBody: 'thanks',
      responseTruncated: false,
    });
    expect(result.responseHeaders?.['x-receiver']).toBe('yes');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('sends the exact body bytes and the given headers, as a POST', async () => {
    const server = await startServer((_req, res) => res.end());
    const body = Buffer.from([0x7b, 0x22, 0xc3, 0xa9, 0x22, 0x3a, 0x30, 0x7d, 0x00, 0xff]);
    const result = await sender().send({
      url: `${server.url}/in?x=1`,
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Corgea-Webhooks/1.0',
        'X-Corgea-Signature': 'abc123',
        'X-Custom': 'v',
      },
      body,
    });
    expect(result.ok).toBe(true);
    const [received] = server.received;
    expect(received?.method).toBe('POST');
    expect(received?.url).toBe('/in?x=1');
    expect(received?.body.equals(body)).toBe(true);
    expect(received?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Corgea-Webhooks/1.0',
      'x-corgea-signature': 'abc123',
      'x-custom': 'v',
      'content-length': String(body.length),
    });
  });

  it('a 500 is http_5xx with the status', async () => {
    const server = await startServer((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });
    const result = await send(sender(), server.url);
    expect(result).toMatchObject({
      ok: false,
      failure: 'http_5xx',
      statusCode: 500,
      responseBody: 'boom',
    });
    expect(result).not.toHaveProperty('retryAfterSeconds');
  });

  it('a 429 with Retry-After: 7 is http_4xx with retryAfterSeconds 7', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(429, { 'Retry-After': '7' });
      res.end();
    });
    const result = await send(sender(), server.url);
    expect(result).toMatchObject({
      ok: false,
      failure: 'http_4xx',
      statusCode: 429,
      retryAfterSeconds: 7,
    });
  });

  it('a 503 with Retry-After is honoured too; a 500 with Retry-After is not', async () => {
    const server = await startServer((req, res) => {
      res.writeHead(req.url === '/503' ? 503 : 500, { 'Retry-After': '30' });
      res.end();
    });
    const s = sender();
    expect(await send(s, `${server.url}/503`)).toMatchObject({ retryAfterSeconds: 30 });
    expect(await send(s, `${server.url}/500`)).not.toHaveProperty('retryAfterSeconds');
  });

  it('a 302 is a redirect failure and the Location is not followed', async () => {
    const target = await startServer((_req, res) => res.end('should not be reached'));
    const server = await startServer((_req, res) => {
      res.writeHead(302, { Location: `${target.url}/elsewhere` });
      res.end();
    });
    const result = await send(sender(), server.url);
    expect(result).toMatchObject({ ok: false, failure: 'redirect', statusCode: 302 });
    expect(result.ok === false && result.message).toContain(`${target.url}/elsewhere`);
    expect(target.received).toHaveLength(0);
    expect(target.connections).toBe(0);
  });

  it('a slow-drip answer is cut by the total deadline', async () => {
    const timers: NodeJS.Timeout[] = [];
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('x');
      const timer = setInterval(() => res.write('x'), 300);
      timers.push(timer);
      setTimeout(() => clearInterval(timer), 30_000).unref();
      res.on('close', () => clearInterval(timer));
    });
    const result = await send(sender({ timeoutMs: 1000 }), server.url);
    timers.forEach(clearInterval);
    expect(result).toMatchObject({ ok: false, failure: 'timeout', statusCode: 200 });
    expect(result.durationMs).toBeGreaterThanOrEqual(950);
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('a server that never answers times out', async () => {
    const server = await startServer(() => undefined);
    const result = await send(sender({ timeoutMs: 1000 }), server.url);
    expect(result).toMatchObject({ ok: false, failure: 'timeout' });
    expect(result).not.toHaveProperty('statusCode');
    expect(result.durationMs).toBeGreaterThanOrEqual(950);
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('a closed port is connection_refused', async () => {
    const server = await startServer((_req, res) => res.end());
    const url = server.url;
    await server.close();
    open.splice(open.indexOf(server), 1);
    const result = await send(sender(), url);
    expect(result).toMatchObject({ ok: false, failure: 'connection_refused' });
  });

  it('a connection reset before the answer is connection_reset', async () => {
    const server = await startServer((req) => req.socket.destroy());
    const result = await send(sender(), server.url);
    expect(result).toMatchObject({ ok: false, failure: 'connection_reset' });
  });

  it('an unresolvable host is dns', async () => {
    const s = sender({ resolveAll: () => Promise.reject(dnsError('nowhere.invalid')) });
    const result = await send(s, 'http://nowhere.invalid/');
    expect(result).toMatchObject({ ok: false, failure: 'dns' });
  });

  it('a 100 KB body is kept truncated to maxResponseBytes and the status decides', async () => {
    const big = 'a'.repeat(100 * 1024);
    const server = await startServer((_req, res) => res.end(big));
    const result = await send(sender(), server.url);
    expect(result).toMatchObject({ ok: true, statusCode: 200, responseTruncated: true });
    expect(result.responseBody).toHaveLength(8192);
  });

  it('a body of exactly maxResponseBytes is not truncated', async () => {
    const server = await startServer((_req, res) => res.end('b'.repeat(16)));
    const result = await send(sender({ maxResponseBytes: 16 }), server.url);
    expect(result).toMatchObject({ responseBody: 'b'.repeat(16), responseTruncated: false });
  });

  it('a gzip answer is decompressed', async () => {
    const { gzipSync } = await import('node:zlib');
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'gzip' });
      res.end(gzipSync('hello gzip'));
    });
    expect(await send(sender(), server.url)).toMatchObject({ responseBody: 'hello gzip' });
  });
});

describe('HttpSender SSRF guard', () => {
  it('refuses a loopback IP literal without the allow list; the server receives nothing', async () => {
    const server = await startServer((_req, res) => res.end());
    const result = await send(sender({ allowCidrs: [] }), server.url);
    expect(result).toMatchObject({ ok: false, failure: 'blocked_by_policy' });
    expect(result.ok === false && result.message).toContain('127.0.0.1');
    expect(server.connections).toBe(0);
  });

  it('refuses a bracketed IPv6 literal outside the allow list', async () => {
    const result = await send(sender(), 'http://[::1]:9/');
    expect(result).toMatchObject({ ok: false, failure: 'blocked_by_policy' });
    expect(result.ok === false && result.message).toContain('::1');
  });

  it('refuses `localhost` at lookup time (the resolved address is checked)', async () => {
    const server = await startServer((_req, res) => res.end());
    const result = await send(sender({ allowCidrs: [] }), `http://localhost:${server.port}/`);
    expect(result).toMatchObject({ ok: false, failure: 'blocked_by_policy' });
    expect(result.ok === false && result.message).toMatch(
      /localhost resolves to (127\.0\.0\.1|::1)/,
    );
    expect(server.connections).toBe(0);
  });

  it('refuses when ANY resolved address is refused (no rebinding through a mixed answer)', async () => {
    const server = await startServer((_req, res) => res.end());
    const s = sender({
      resolveAll: () =>
        Promise.resolve([
          { address: '127.0.0.1', family: 4 },
          { address: '169.254.169.254', family: 4 },
        ]),
    });
    const result = await send(s, `http://receiver.test:${server.port}/`);
    expect(result).toMatchObject({ ok: false, failure: 'blocked_by_policy' });
    expect(result.ok === false && result.message).toContain('169.254.169.254');
    expect(server.connections).toBe(0);
  });

  it('dials the checked address for a hostname inside the allow list', async () => {
    const server = await startServer((_req, res) => res.end('via name'));
    const s = sender({ resolveAll: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]) });
    const result = await send(s, `http://receiver.test:${server.port}/`);
    expect(result).toMatchObject({ ok: true, responseBody: 'via name' });
    expect(server.received[0]?.headers.host).toBe(`receiver.test:${server.port}`);
  });

  it('rejects non-http(s) URLs and unparsable URLs as other, without throwing', async () => {
    expect(await send(sender(), 'file:///etc/passwd')).toMatchObject({ failure: 'other' });
    expect(await send(sender(), 'not a url')).toMatchObject({ failure: 'other' });
  });

  it('rejects nonsense options', () => {
    expect(() => new HttpSender({ allowCidrs: [], timeoutMs: 0 })).toThrow(RangeError);
    expect(() => new HttpSender({ allowCidrs: [], maxResponseBytes: 1.5 })).toThrow(RangeError);
  });
});

describe('HttpSender over HTTPS with extraCa', () => {
  let dir: string;
  let cert: string;
  let key: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-sender-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function startHttps(): Promise<TestServer> {
    const holder: { state?: TestServer } = {};
    const server = https.createServer(
      { cert, key },
      withBody(
        (_req, res) => res.end('secure'),
        () => holder.state?.received ?? [],
      ),
    );
    holder.state = await listen(server, 'https');
    return holder.state;
  }

  it('trusts a receiver signed by extraCa', async () => {
    const server = await startHttps();
    const result = await send(sender({ extraCa: cert }), server.url);
    expect(result).toMatchObject({ ok: true, statusCode: 200, responseBody: 'secure' });
  });

  it('an untrusted certificate is tls', async () => {
    const server = await startHttps();
    const result = await send(sender(), server.url);
    expect(result).toMatchObject({ ok: false, failure: 'tls' });
    expect(server.received).toHaveLength(0);
  });
});

function dnsError(host: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${host}`);
  error.code = 'ENOTFOUND';
  return error;
}
