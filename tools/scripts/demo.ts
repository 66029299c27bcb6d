/**
 * `npm run demo`, against a platform started with `npm start`: starts an HTTPS receiver on
 * 127.0.0.1 (with the development CA's certificate that `npm start` made the worker trust),
 * creates a webhook to it through the REST API, publishes one sample event of each type through
 * the publisher library, and prints each delivery as it arrives: headers, both signatures
 * verified, body. Deletes its webhook at the end. Exits 1 when the platform is not running or
 * not every delivery arrives, correctly signed, within 60 s.
 */
import { EVENT_TYPES, KAFKA_TOPICS, samplePayload, type EventType } from '@hookline/contracts';
import { EventPublisher, type PublishRequest } from '@hookline/events-publisher';
import { createKafka } from '@hookline/shared-kafka';
import {
  DEFAULT_VENDOR,
  vendorHeaders,
  verifyStandardWebhook,
  verifyVendorSignature,
} from '@hookline/shared-signing';
import { startHttpsReceiver, type ReceivedRequest } from '@hookline/shared-testing';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { infraStatus } from '../infra';
import { devCaFiles, loadDevCa } from './dev-ca';

const root = path.resolve(__dirname, '../..');
const DEMO_COMPANY = 'demo-company';
const BOOTSTRAP_KEY_FILE = path.join(root, '.hookline', 'bootstrap-admin-key');
const ARRIVAL_TIMEOUT_MS = 60_000;
// The change reaches the matcher through the outbox relay and webhooks.config; the platform's
// end-to-end suite measures that well within 2 s.
const MATCHER_SETTLE_MS = 2_000;
const CUSTOM_HEADER = { name: 'X-Demo-Token', value: 'hookline-demo' };
const port = (name: string, fallback: number): string => process.env[name] || String(fallback);
const API_URL = `http://127.0.0.1:${port('HOOKLINE_CONFIG_API_PORT', 3000)}`;
const APPS = [
  { name: 'config-api', url: `${API_URL}/health` },
  {
    name: 'event-matcher',
    url: `http://127.0.0.1:${port('HOOKLINE_EVENT_MATCHER_PORT', 3001)}/ready`,
  },
  {
    name: 'delivery-worker',
    url: `http://127.0.0.1:${port('HOOKLINE_DELIVERY_WORKER_PORT', 3002)}/ready`,
  },
];

/** A failure the user can act on: printed as is, without a stack. */
class DemoError extends Error {}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const indent = (text: string, by = '    '): string =>
  text
    .split('\n')
    .map((line) => by + line)
    .join('\n');

const cleanups: (() => Promise<void>)[] = [];
let interrupted = false;
async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch((error: unknown) =>
      console.error(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}

async function main(): Promise<void> {
  const adminKey = readAdminKey();
  await checkPlatformRunning();
  const status = await infraStatus();
  const brokers = process.env['KAFKA_BROKERS'] || status.kafka.address;
  if (!brokers || !status.kafka.serving) {
    throw new DemoError(
      `Kafka does not answer at ${brokers ?? 'its address'}; start the platform with \`npm start\`.`,
    );
  }

  const ca = loadDevCa(root);
  const receiver = await startHttpsReceiver({
    // The development CA of `npm start`, which the worker trusts; the files stay where they are.
    ca: { ...ca, caFile: devCaFiles(root).caFile, dispose: async () => undefined },
  });
  cleanups.push(() => receiver.close());
  const receivePath = `/demo/${randomUUID().slice(0, 8)}`;
  console.log(`receiver   listening on ${receiver.url(receivePath)}`);

  const api = apiClient(adminKey);
  const created = await api<{ id: string; secret: string; events: string[] }>(
    'POST',
    '/v1/webhooks',
    {
      name: 'npm run demo',
      url: receiver.url(receivePath),
      type: 'other',
      events: [...EVENT_TYPES],
      headers: { [CUSTOM_HEADER.name]: CUSTOM_HEADER.value },
      generateSecret: true,
    },
  );
  cleanups.push(async () => {
    await api('DELETE', `/v1/webhooks/${created.id}`);
    console.log(`webhook    ${created.id} deleted`);
  });
  console.log(
    `webhook    ${created.id} created through POST ${API_URL}/v1/webhooks\n` +
      `           events: ${created.events.join(', ')}\n` +
      `           custom header ${CUSTOM_HEADER.name}, generated secret ${created.secret.slice(0, 12)}…`,
  );
  await sleep(MATCHER_SETTLE_MS);

  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'hookline-demo' });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  const publisher = new EventPublisher({ producer, source: 'hookline-demo' });
  const events = EVENT_TYPES.map(
    (eventType) =>
      ({
        eventType,
        data: { ...samplePayload(eventType).data, company: DEMO_COMPANY },
      }) as PublishRequest,
  );
  const publishedAt = Date.now();
  const envelopes = await publisher.publishMany(events);
  console.log(
    `published  ${envelopes.length} sample events of company "${DEMO_COMPANY}" to ${KAFKA_TOPICS.platformEvents}\n`,
  );

  const names = vendorHeaders(process.env['HOOKLINE_VENDOR'] || DEFAULT_VENDOR);
  const expected = new Set<EventType>(EVENT_TYPES);
  let invalid = 0;
  let arrived = 0;
  let lastArrivalAt = publishedAt;
  const deadline = publishedAt + ARRIVAL_TIMEOUT_MS;
  for (let n = 1; n <= EVENT_TYPES.length; n++) {
    let request: ReceivedRequest | undefined;
    while (!request && Date.now() < deadline) {
      request = await receiver
        .waitFor(n, { path: receivePath, timeoutMs: Math.min(deadline - Date.now(), 2_000) })
        .then(
          (received) => received[n - 1],
          () => undefined,
        );
      if (interrupted) return;
      // Deliveries the worker gave up on will never arrive: no point waiting the full minute.
      if (!request && (await failedDeliveries(api, created.id)) + n - 1 >= EVENT_TYPES.length) {
        break;
      }
    }
    if (!request) break;
    arrived = n;
    lastArrivalAt = request.receivedAt;
    const eventType = String(request.headers[names.eventHeader.toLowerCase()] ?? '');
    expected.delete(eventType as EventType);
    const ok = printDelivery(n, request, publishedAt, created.secret, names.signatureHeader);
    if (!ok) invalid++;
  }

  const total = EVENT_TYPES.length;
  if (arrived < total) {
    await explainMissing(api, created.id, arrived);
    throw new DemoError(
      Date.now() < deadline
        ? `${arrived} of ${total} deliveries arrived; the worker gave up on the others.`
        : `${arrived} of ${total} deliveries arrived within ${seconds(ARRIVAL_TIMEOUT_MS)}.`,
    );
  }
  const problems = [
    ...(invalid > 0 ? [`${invalid} with an invalid signature`] : []),
    ...(expected.size > 0 ? [`none for ${[...expected].join(', ')}`] : []),
  ];
  if (problems.length > 0) {
    throw new DemoError(`${total} deliveries arrived, but ${problems.join(' and ')}.`);
  }
  console.log(
    `${arrived} of ${total} deliveries arrived, all signatures valid in ${seconds(lastArrivalAt - publishedAt)}`,
  );
}

function readAdminKey(): string {
  try {
    const key = readFileSync(BOOTSTRAP_KEY_FILE, 'utf8').trim();
    if (key) return key;
  } catch {
    // reported below
  }
  throw new DemoError(
    `No admin key in ${path.relative(root, BOOTSTRAP_KEY_FILE)}: start the platform with \`npm start\` first, then run \`npm run demo\` in another terminal.`,
  );
}

async function checkPlatformRunning(): Promise<void> {
  const answers = await Promise.all(
    APPS.map((app) =>
      fetch(app.url, { signal: AbortSignal.timeout(3_000) }).then(
        (response) => response.ok,
        () => false,
      ),
    ),
  );
  const down = APPS.filter((_app, i) => !answers[i]).map((app) => `${app.name} (${app.url})`);
  if (down.length > 0) {
    throw new DemoError(
      `Hookline is not running or not ready: no answer from ${down.join(', ')}.\n` +
        'Start it with `npm start`, wait for the admin key, then run `npm run demo` in another terminal.',
    );
  }
}

type Api = <T = unknown>(method: string, pathname: string, body?: unknown) => Promise<T>;

function apiClient(adminKey: string): Api {
  return async <T>(method: string, pathname: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${API_URL}${pathname}`, {
      method,
      headers: {
        authorization: `Bearer ${adminKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) {
      const hint =
        response.status === 401
          ? ` (the key in ${path.relative(root, BOOTSTRAP_KEY_FILE)} is not accepted; restart \`npm start\` to get a new one)`
          : '';
      throw new DemoError(`${method} ${pathname} answered ${response.status}${hint}: ${text}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/** Prints one delivery; returns whether both signatures verified. */
function printDelivery(
  n: number,
  request: ReceivedRequest,
  publishedAt: number,
  secret: string,
  signatureHeader: string,
): boolean {
  const { headers, rawBody } = request;
  const vendorPrefix = signatureHeader.toLowerCase().replace(/signature$/, '');
  const shown = Object.keys(headers)
    .filter(
      (name) =>
        name.startsWith(vendorPrefix) ||
        name.startsWith('webhook-') ||
        name === CUSTOM_HEADER.name.toLowerCase() ||
        name === 'user-agent' ||
        name === 'content-type',
    )
    .sort();
  const vendorOk = verifyVendorSignature(
    rawBody,
    headerValue(headers[signatureHeader.toLowerCase()]),
    secret,
  );
  const standard = verifyStandardWebhook(rawBody, headers, secret);
  const eventName = headerValue(headers[`${vendorPrefix}event`]) ?? '?';
  console.log(
    `── delivery ${n}/${EVENT_TYPES.length}: ${eventName} (+${seconds(request.receivedAt - publishedAt)}) ──`,
  );
  console.log(`  ${request.method} ${request.url}`);
  for (const name of shown) {
    console.log(`  ${canonical(name)}: ${headerValue(headers[name])}`);
  }
  const verdict = (ok: boolean, reason?: string): string =>
    ok ? '✔ signature verified' : `✘ SIGNATURE INVALID${reason ? ` (${reason})` : ''}`;
  const checks: [string, string][] = [
    [`${canonical(signatureHeader.toLowerCase())} (HMAC-SHA256 of the body)`, verdict(vendorOk)],
    [
      'webhook-signature (Standard Webhooks)',
      verdict(standard.ok, standard.ok ? undefined : standard.reason),
    ],
  ];
  const width = Math.max(...checks.map(([label]) => label.length));
  for (const [label, result] of checks) console.log(`  ${`${label}:`.padEnd(width + 2)}${result}`);
  console.log('  body:');
  console.log(`${indent(prettyJson(request.body))}\n`);
  return vendorOk && standard.ok;
}

/** How many deliveries of the webhook failed for good, by the delivery log. */
async function failedDeliveries(api: Api, webhookId: string): Promise<number> {
  const page = await api<{ items: unknown[] }>(
    'GET',
    `/v1/deliveries?webhookId=${encodeURIComponent(webhookId)}&status=failed`,
  ).catch(() => undefined);
  return page?.items.length ?? 0;
}

/** On a timeout, what the delivery log says about the deliveries that did not arrive. */
async function explainMissing(api: Api, webhookId: string, arrived: number): Promise<void> {
  console.error(`\nOnly ${arrived} of ${EVENT_TYPES.length} deliveries arrived.`);
  const page = await api<{
    items: { eventType: string; status: string; attemptCount: number; lastError: string | null }[];
  }>('GET', `/v1/deliveries?webhookId=${encodeURIComponent(webhookId)}`).catch(() => undefined);
  if (page && page.items.length > 0) {
    console.error('The delivery log of the demo webhook:');
    for (const item of page.items) {
      console.error(
        `  ${item.eventType.padEnd(22)} ${item.status} after ${item.attemptCount} attempt(s)${item.lastError ? `: ${item.lastError}` : ''}`,
      );
    }
  } else {
    console.error(
      'The delivery log has nothing for the demo webhook: the matcher made no deliveries.',
    );
  }
  console.error(
    'The worker must allow 127.0.0.1 (HOOKLINE_EGRESS_ALLOW_CIDRS) and trust ' +
      `${path.relative(root, devCaFiles(root).caFile)} (HOOKLINE_EXTRA_CA_FILE); ` +
      "`npm start` sets both unless you set them yourself. Its log is in `npm start`'s output.",
  );
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** `x-corgea-event` → `X-Corgea-Event`; Standard Webhooks names stay lower case as specified. */
function canonical(name: string): string {
  if (name.startsWith('webhook-')) return name;
  return name.replace(
    /(^|-)([a-z])/g,
    (_match, dash: string, letter: string) => dash + letter.toUpperCase(),
  );
}

function prettyJson(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body) as unknown, null, 2);
  } catch {
    return body;
  }
}

// Ctrl-C: remove the demo webhook before leaving.
process.once('SIGINT', () => {
  interrupted = true;
  console.error('\ninterrupted');
  void cleanUp().then(() => process.exit(130));
});

main()
  .then(async () => {
    await cleanUp();
    process.exit(0);
  })
  .catch(async (error: unknown) => {
    console.error(
      error instanceof DemoError
        ? `\n${error.message}`
        : `\nthe demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    await cleanUp();
    process.exit(1);
  });
