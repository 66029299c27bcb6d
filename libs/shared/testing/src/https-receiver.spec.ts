import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { startHttpsReceiver, type HttpsReceiver } from './https-receiver';
import { createTestCa, type TestCa } from './test-ca';

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** When each body chunk arrived, relative to the request start. */
  readonly chunkAt: number[];
  /** When the headers arrived and when the body ended, relative to the request start. */
  readonly headersAt: number;
  readonly endedAt: number;
  readonly reusedSocket: boolean;
}

interface SendOptions {
  readonly method?: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  /** Trusted CA; `null` trusts only the system store. */
  readonly ca: string | null;
  readonly timeoutMs?: number;
  readonly agent?: https.Agent | false;
}

function send(url: string, options: SendOptions): Promise<Reply> {
  const startedAt = Date.now();
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
        ...(options.ca === null ? {} : { ca: options.ca }),
      },
      (res) => {
        const headersAt = Date.now() - startedAt;
        const chunks: Buffer[] = [];
        const chunkAt: number[] = [];
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          chunkAt.push(Date.now() - startedAt);
        });
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(new Error('the response was cut off'));
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            chunkAt,
            headersAt,
            endedAt: Date.now() - startedAt,
            reusedSocket: req.reusedSocket,
          }),
        );
      },
    );
    if (options.timeoutMs !== undefined) {
      req.setTimeout(options.timeoutMs, () =>
        req.destroy(new Error(`client gave up after ${options.timeoutMs} ms`)),
      );
    }
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('createTestCa', () => {
  it('is generated once per process and signs a certificate for every loopback name', async () => {
    const [first, second] = await Promise.all([createTestCa(), createTestCa()]);
    expect(second).toBe(first);
    expect(readFileSync(first.caFile, 'utf8')).toBe(first.caPem);

    const ca = new X509Certificate(first.caPem);
    const leaf = new X509Certificate(first.certPem);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkIP('::1')).toBe('::1');
    expect(leaf.checkPrivateKey(createPrivateKey(first.keyPem))).toBe(true);
  });
});

describe('startHttpsReceiver', () => {
  let ca: TestCa;
  let receiver: HttpsReceiver;

  beforeAll(async () => {
    ca = await createTestCa();
    receiver = await startHttpsReceiver();
  });
  afterEach(() => receiver.reset());
  afterAll(() => receiver.close());

  it('answers unknown paths 200 ok and records the request as sent', async () => {
    const before = Date.now();
    const reply = await send(receiver.url('/anything?x=1'), {
      method: 'POST',
      body: '{"event":"ping","emoji":"🪝"}',
      headers: { 'Content-Type': 'application/json', 'X-Hookline-Event': 'ping' },
      ca: ca.caPem,
    });

    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('ok');
    const [request] = receiver.requests('/anything');
    expect(request).toMatchObject({
      method: 'POST',
      path: '/anything',
      url: '/anything?x=1',
      body: '{"event":"ping","emoji":"🪝"}',
    });
    expect(request?.headers['x-hookline-event']).toBe('ping');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.rawBody.equals(Buffer.from('{"event":"ping","emoji":"🪝"}'))).toBe(true);
    expect(request?.receivedAt).toBeGreaterThanOrEqual(before);
    expect(request?.receivedAt).toBeLessThanOrEqual(Date.now());
  });

  it('answers a path with its programmed status, body and headers', async () => {
    receiver.on('/teapot', { status: 418, body: 'short and stout', headers: { 'X-Kind': 'tea' } });

    const reply = await send(receiver.url('/teapot'), { ca: ca.caPem });

    expect(reply.status).toBe(418);
    expect(reply.body.toString()).toBe('short and stout');
    expect(reply.headers['x-kind']).toBe('tea');
  });

  it('answers a sequence in order, then repeats its last response', async () => {
    receiver.on('/flaky', {
      sequence: [{ status: 500 }, { status: 503, body: 'busy' }, { status: 200, body: 'done' }],
    });

    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await send(receiver.url('/flaky'), { ca: ca.caPem })).status);
    }

    expect(statuses).toEqual([500, 503, 200, 200, 200]);
  });

  it('restarts a sequence when the path is programmed again', async () => {
    receiver.on('/flaky', { sequence: [{ status: 500 }, { status: 200 }] });
    await send(receiver.url('/flaky'), { ca: ca.caPem });
    receiver.on('/flaky', { sequence: [{ status: 500 }, { status: 200 }] });

    expect((await send(receiver.url('/flaky'), { ca: ca.caPem })).status).toBe(500);
  });

  it('redirects with Location set, and the redirect is not followed for the client', async () => {
    receiver.on('/moved', { redirectTo: receiver.url('/target'), status: 307 });

    const reply = await send(receiver.url('/moved'), { ca: ca.caPem });

    expect(reply.status).toBe(307);
    expect(reply.headers.location).toBe(receiver.url('/target'));
    expect(receiver.requests('/target')).toHaveLength(0);
  });

  it('redirects with 302 unless told otherwise', async () => {
    receiver.on('/old', { redirectTo: '/new' });

    const reply = await send(receiver.url('/old'), { ca: ca.caPem });

    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe('/new');
  });

  it('answers a body of exactly the requested size', async () => {
    receiver.on('/big', { bodyBytes: 3 * 1024 * 1024 + 7 });

    const reply = await send(receiver.url('/big'), { ca: ca.caPem });

    expect(reply.status).toBe(200);
    expect(reply.body.length).toBe(3 * 1024 * 1024 + 7);
    expect(reply.headers['content-length']).toBe(String(3 * 1024 * 1024 + 7));
  });

  it('never answers a hanging path but records the request', async () => {
    receiver.on('/hang', { hang: true });

    await expect(
      send(receiver.url('/hang'), {
        method: 'POST',
        body: 'payload',
        ca: ca.caPem,
        timeoutMs: 300,
      }),
    ).rejects.toThrow('client gave up after 300 ms');

    const [request] = await receiver.waitFor(1, { path: '/hang', timeoutMs: 1_000 });
    expect(request?.body).toBe('payload');
  });

  it('counts requests in flight per path until answered or given up, and the most at once', async () => {
    receiver.on('/held', { hang: true });
    const sends = [300, 300, 600].map((timeoutMs) =>
      send(receiver.url('/held'), { method: 'POST', body: 'x', ca: ca.caPem, timeoutMs }).catch(
        () => undefined,
      ),
    );
    await receiver.waitFor(3, { path: '/held', timeoutMs: 1_000 });
    expect(receiver.inFlight('/held')).toBe(3);
    await Promise.all(sends.slice(0, 2));
    // The sockets close a moment after the client gives up.
    for (let i = 0; i < 20 && receiver.inFlight('/held') > 1; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(receiver.inFlight('/held')).toBe(1);
    await send(receiver.url('/ok'), { ca: ca.caPem });
    expect(receiver.inFlight('/ok')).toBe(0);
    expect(receiver.maxInFlight('/ok')).toBe(1);
    await Promise.all(sends);
    expect(receiver.maxInFlight('/held')).toBe(3);
  });

  it('does not count a call given up on beside the next one its client makes at once', async () => {
    receiver.on('/held', { hang: true });
    const connect = () =>
      new Promise<tls.TLSSocket>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port: receiver.port, ca: ca.caPem }, () =>
          resolve(socket),
        );
        socket.once('error', reject);
      });
    const hold = (socket: tls.TLSSocket) =>
      socket.write('POST /held HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\n\r\nx');
    // The loop of a busy receiver: the FIN of the socket closed and the next request, written
    // right after it on another socket, are read in one turn.
    const busy = (ms: number) => {
      for (const end = Date.now() + ms; Date.now() < end;);
    };
    const sockets = await Promise.all(Array.from({ length: 8 }, connect));
    try {
      const held = sockets.slice(0, 2);
      held.forEach(hold);
      await receiver.waitFor(2, { path: '/held', timeoutMs: 1_000 });
      for (let round = 1; round <= 4; round += 1) {
        held.shift()?.destroy();
        const next = sockets[1 + round] as tls.TLSSocket;
        hold(next);
        held.push(next);
        busy(10);
        await receiver.waitFor(2 + round, { path: '/held', timeoutMs: 1_000 });
      }
      expect(receiver.inFlight('/held')).toBe(2);
      expect(receiver.maxInFlight('/held')).toBe(2);

      // The next request first and the FIN after it: three at once, for a moment.
      const third = sockets[6] as tls.TLSSocket;
      hold(third);
      await receiver.waitFor(7, { path: '/held', timeoutMs: 1_000 });
      held.shift()?.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(receiver.inFlight('/held')).toBe(2);
      expect(receiver.maxInFlight('/held')).toBe(3);
    } finally {
      sockets.forEach((socket) => socket.destroy());
    }
  });

  it('drips the body a byte at a time and ends it after totalMs', async () => {
    receiver.on('/slow', { drip: { intervalMs: 50, totalMs: 600 } });

    const reply = await send(receiver.url('/slow'), { ca: ca.caPem });

    expect(reply.status).toBe(200);
    expect(reply.headersAt).toBeLessThan(400);
    expect(reply.endedAt).toBeGreaterThanOrEqual(550);
    expect(reply.body.length).toBeGreaterThanOrEqual(5);
    expect(reply.body.toString()).toMatch(/^x+$/);
    // Bytes arrive over the whole span, not in one burst at the end.
    expect(reply.chunkAt.length).toBeGreaterThanOrEqual(5);
    const first = reply.chunkAt[0] ?? 0;
    const last = reply.chunkAt[reply.chunkAt.length - 1] ?? 0;
    expect(first).toBeLessThan(400);
    expect(last - first).toBeGreaterThanOrEqual(300);
  });

  it('resolves waitFor once enough requests to the path arrived', async () => {
    const waiting = receiver.waitFor(3, { path: '/batch', timeoutMs: 5_000 });
    await send(receiver.url('/other'), { ca: ca.caPem });
    for (let i = 0; i < 3; i++) await send(receiver.url('/batch'), { ca: ca.caPem });

    const requests = await waiting;

    expect(requests.map((r) => r.path)).toEqual(['/batch', '/batch', '/batch']);
    expect(receiver.requests()).toHaveLength(4);
  });

  it('rejects waitFor after the timeout, saying how many requests arrived', async () => {
    await send(receiver.url('/once'), { ca: ca.caPem });

    await expect(receiver.waitFor(2, { path: '/once', timeoutMs: 200 })).rejects.toThrow(
      /Expected 2 request\(s\) to \/once .* within 200 ms, but 1 arrived\./,
    );
  });

  it('keeps connections alive between requests', async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await send(receiver.url('/a'), { ca: ca.caPem, agent });
      const second = await send(receiver.url('/b'), { ca: ca.caPem, agent });

      expect(first.reusedSocket).toBe(false);
      expect(second.reusedSocket).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('forgets requests and programmed paths on reset', async () => {
    receiver.on('/gone', { status: 410 });
    await send(receiver.url('/gone'), { ca: ca.caPem });

    receiver.reset();

    expect(receiver.requests()).toEqual([]);
    expect((await send(receiver.url('/gone'), { ca: ca.caPem })).status).toBe(200);
  });

  it('fails TLS for a client that does not trust the test CA, recording nothing', async () => {
    await expect(send(receiver.url('/ok'), { ca: null })).rejects.toMatchObject({
      code: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN/),
    });
    expect(receiver.requests()).toEqual([]);
  });
});

describe('HttpsReceiver.close', () => {
  it('ends hanging and dripping responses and rejects pending waits', async () => {
    const ca = await createTestCa();
    const receiver = await startHttpsReceiver({
      behaviours: {
        '/hang': { hang: true },
        '/slow': { drip: { intervalMs: 20, totalMs: 60_000 } },
      },
    });
    const hanging = send(receiver.url('/hang'), { method: 'POST', body: 'x', ca: ca.caPem });
    const dripping = send(receiver.url('/slow'), { ca: ca.caPem });
    const waiting = expect(receiver.waitFor(1, { path: '/never' })).rejects.toThrow(/was closed/);
    await receiver.waitFor(2);

    const startedAt = Date.now();
    await receiver.close();

    expect(Date.now() - startedAt).toBeLessThan(1_000);
    await expect(hanging).rejects.toThrow();
    await expect(dripping).rejects.toThrow();
    await waiting;
  });
});

describe('TestCa.dispose', () => {
  it('removes the files, and the next createTestCa makes a new CA', async () => {
    const ca = await createTestCa();

    await ca.dispose();

    expect(existsSync(ca.caFile)).toBe(false);
    const next = await createTestCa();
    expect(next.caPem).not.toBe(ca.caPem);
    expect(existsSync(next.caFile)).toBe(true);
  });
});
