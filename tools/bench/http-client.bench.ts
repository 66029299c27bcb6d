// What one webhook call costs the caller's CPU, by HTTP client: Node's https.request (the floor),
// axios with its http adapter and a keep-alive agent, axios with its fetch adapter, Node's fetch,
// and HttpSender (the worker's: axios plus the SSRF lookup, one total deadline, a capped body).
// The HTTPS receiver runs in a process of its own and each client in another, one after the
// other and in alternating rounds, so what is counted is the client's CPU alone
// (`process.cpuUsage`). Prints numbers; asserts nothing.
//
//   npm run bench:http -- --posts=20000 --concurrency=64 --rounds=2 [--alloc]
//
// Each flag also reads from the environment: BENCH_POSTS, BENCH_CONCURRENCY, BENCH_ROUNDS,
// BENCH_ALLOC=1. --alloc also samples what each post allocates (V8's sampling heap profiler,
// which slows the client: its CPU figures are left out of that pass).
import { HttpSender } from '@hookline/deliveries-sender';
import { startHttpsReceiver } from '@hookline/shared-testing';
import axios from 'axios';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { DELIVERY_HEADER, inParallel, raw, setting } from './bench-support';

const CLIENTS = ['https.request', 'axios http', 'axios fetch', 'fetch', 'HttpSender'] as const;
type ClientName = (typeof CLIENTS)[number];

const POSTS = setting('posts', 'BENCH_POSTS', 20_000);
const CONCURRENCY = setting('concurrency', 'BENCH_CONCURRENCY', 64);
const ROUNDS = setting('rounds', 'BENCH_ROUNDS', 2);
const ALLOC = process.argv.includes('--alloc') || process.env['BENCH_ALLOC'] === '1';
/** Posts made before counting, so each client is measured warm (JIT, pooled connections). */
const WARMUP_POSTS = 1_000;
const BODY = Buffer.alloc(430, 'x');
/** As many headers as a signed delivery carries. */
const HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  'user-agent': 'Hookline-Webhooks/1.0',
  'x-corgea-event': 'scan.completed',
  'x-corgea-timestamp': '1796659049',
  'x-corgea-signature': `sha256=${'ab'.repeat(32)}`,
  'webhook-id': 'msg_bench',
  'webhook-timestamp': '1796659049',
  'webhook-signature': `v1,${'A'.repeat(44)}`,
};

interface Measured {
  readonly postsPerSecond: number;
  readonly cpuMsPerPost: number;
  readonly allocatedKbPerPost?: number;
}

/** One post with the named client, resolving once the whole response is read. */
function poster(name: ClientName, url: string, ca: string): () => Promise<unknown> {
  let n = 0;
  const headers = () => ({ ...HEADERS, [DELIVERY_HEADER]: `http-bench-${n++}` });
  switch (name) {
    case 'https.request': {
      const agent = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
      const target = new URL(url);
      return () =>
        new Promise<void>((resolve, reject) => {
          const request = https.request(
            {
              host: target.hostname,
              port: target.port,
              path: target.pathname,
              method: 'POST',
              agent,
              headers: { ...headers(), 'content-length': BODY.length },
            },
            (response) => {
              response.on('data', () => undefined);
              response.on('end', resolve);
            },
          );
          request.on('error', reject);
          request.end(BODY);
        });
    }
    case 'axios http': {
      const agent = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
      const client = axios.create({ httpsAgent: agent, validateStatus: () => true });
      return () => client.post(url, BODY, { headers: headers() });
    }
    case 'axios fetch': {
      // Node's fetch trusts the receiver's CA through NODE_EXTRA_CA_CERTS (set by the parent).
      const client = axios.create({ adapter: 'fetch', validateStatus: () => true });
      return () => client.post(url, BODY, { headers: headers() });
    }
    case 'fetch':
      return async () => {
        const response = await fetch(url, { method: 'POST', body: BODY, headers: headers() });
        await response.text();
      };
    case 'HttpSender': {
      const sender = new HttpSender({
        allowCidrs: ['127.0.0.0/8'],
        extraCa: ca,
        maxSocketsPerHost: CONCURRENCY,
      });
      return () => sender.send({ url, headers: headers(), body: BODY });
    }
  }
}

/** The child's side: warm up, then count the posts' CPU (or their allocations). */
async function client(name: ClientName, url: string, caFile: string, alloc: boolean) {
  const post = poster(name, url, readFileSync(caFile, 'utf8'));
  await inParallel(WARMUP_POSTS, CONCURRENCY, post);
  let session: Session | undefined;
  if (alloc) {
    session = new Session();
    session.connect();
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    } as object);
  }
  const cpu = process.cpuUsage();
  const started = performance.now();
  await inParallel(POSTS, CONCURRENCY, post);
  const used = process.cpuUsage(cpu);
  const elapsed = performance.now() - started;
  let allocatedKbPerPost: number | undefined;
  if (session) {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    // Each node's selfSize is what its samples stood for, collected since or not.
    const sum = (node: typeof profile.head): number =>
      node.children.reduce((total, next) => total + sum(next), node.selfSize);
    const bytes = sum(profile.head);
    allocatedKbPerPost = bytes / POSTS / 1024;
  }
  const measured: Measured = {
    postsPerSecond: Math.round(POSTS / (elapsed / 1000)),
    cpuMsPerPost: (used.user + used.system) / 1000 / POSTS,
    ...(allocatedKbPerPost === undefined ? {} : { allocatedKbPerPost }),
  };
  process.stdout.write(`${JSON.stringify(measured)}\n`);
  process.exit(0);
}

/** The receiver's side: an HTTPS server that forgets what it received every second. */
async function receiver() {
  const server = await startHttpsReceiver();
  setInterval(() => server.reset(), 1000);
  process.stdout.write(
    `${JSON.stringify({ url: server.url('/hooks/bench'), caFile: server.ca.caFile })}\n`,
  );
}

/** Runs this file again as `role` and resolves with its first line of output. */
function child(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const spawned = spawn(process.execPath, [...process.execArgv, __filename, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const firstLine = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: spawned.stdout });
    lines.once('line', resolve);
    spawned.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  return { spawned, firstLine };
}

async function main() {
  const served = child(['--role=receiver']);
  const { url, caFile } = JSON.parse(await served.firstLine) as { url: string; caFile: string };
  try {
    console.log(
      `HTTP clients, ${POSTS} posts of ${BODY.length} bytes with ${Object.keys(HEADERS).length + 1} headers each, ` +
        `${CONCURRENCY} at once, keep-alive, to an HTTPS receiver in its own process; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}); ` +
        `${ROUNDS} rounds, each client after ${WARMUP_POSTS} warm-up posts`,
    );
    const results = new Map<ClientName, Measured[]>(CLIENTS.map((name) => [name, []]));
    const measure = async (name: ClientName, alloc: boolean) => {
      const run = child(
        [
          `--role=client`,
          `--client=${name}`,
          `--url=${url}`,
          `--ca=${caFile}`,
          ...(alloc ? ['--alloc'] : []),
        ],
        {
          NODE_EXTRA_CA_CERTS: caFile,
        },
      );
      return JSON.parse(await run.firstLine) as Measured;
    };
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const name of CLIENTS) results.get(name)?.push(await measure(name, false));
    }
    const allocated = new Map<ClientName, number | undefined>();
    if (ALLOC) {
      for (const name of CLIENTS)
        allocated.set(name, (await measure(name, true)).allocatedKbPerPost);
    }
    const floor = Math.min(...(results.get('https.request') ?? []).map((r) => r.cpuMsPerPost));
    for (const name of CLIENTS) {
      const runs = results.get(name) ?? [];
      const cpu = runs.map((r) => r.cpuMsPerPost.toFixed(3)).join(' / ');
      const rate = runs.map((r) => r.postsPerSecond).join(' / ');
      const best = Math.min(...runs.map((r) => r.cpuMsPerPost));
      const kb = allocated.get(name);
      console.log(
        `  ${name.padEnd(14)} client CPU ${cpu} ms per post (${(best / floor).toFixed(1)}x the floor); ` +
          `${rate} posts/s${kb === undefined ? '' : `; ${kb.toFixed(1)} KB allocated per post`}`,
      );
    }
  } finally {
    served.spawned.kill('SIGTERM');
  }
}

const role = raw('role');
const arg = (name: string) => raw(name) ?? '';
const run =
  role === 'receiver'
    ? receiver()
    : role === 'client'
      ? client(arg('client') as ClientName, arg('url'), arg('ca'), process.argv.includes('--alloc'))
      : main();
run.catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
