// Throughput of the two per-delivery CPU costs: rendering a custom body and signing it.
// Run with `npm run bench:libs`. Prints numbers; it asserts nothing.
import { createHmac } from 'node:crypto';
import { cpus } from 'node:os';
import { signVendorSignature } from '@hookline/shared-signing';
import { compileTemplate, type TemplatePayload } from '@hookline/shared-templating';

const WARMUP_MS = 500;
const MEASURE_MS = 2_000;
const BATCH = 256;
const RENDER_TARGET_PER_SECOND = 50_000;

// A scan.completed envelope shaped like the seed's default payload, filled out to about 1 KB.
const payload: TemplatePayload = {
  event_id: '550e8400-e29b-41d4-a716-446655440000',
  event_type: 'scan.completed',
  timestamp: '2025-01-15T14:30:00.000Z',
  data: {
    company: '3f1b6c2e-8d4a-4e0b-9a57-1c2d3e4f5a6b',
    scan_id: '9b2f4d6e-1a3c-4e5f-8a7b-6c5d4e3f2a1b',
    project: {
      id: '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
      name: 'My Application',
      repository: 'https://github.com/example-org/my-application',
      branch: 'main',
      commit: '4e1f0c9a7b3d2e6f8a5c1b0d9e7f6a3c2b1d0e9f',
    },
    issues_found: 12,
    severity: { critical: 1, high: 3, medium: 5, low: 3 },
    scan_type: 'full',
    duration_seconds: 184,
    triggered_by: 'ci "nightly" pipeline\nrun #4812',
    url: 'https://app.example.com/projects/7c8d9e0f/scans/9b2f4d6e',
    top_issues: [
      {
        id: 'iss_01',
        title: 'SQL injection in /api/orders',
        severity: 'critical',
        file: 'src/orders/repository.ts',
        line: 42,
      },
      {
        id: 'iss_02',
        title: 'Hard-coded AWS key',
        severity: 'high',
        file: 'config/deploy.yml',
        line: 7,
      },
      {
        id: 'iss_03',
        title: 'Path traversal in file download',
        severity: 'high',
        file: 'src/files/download.controller.ts',
        line: 118,
      },
    ],
    labels: ['production', 'payments', 'pci'],
  },
};

// Slack-style text plus the whole payload, as a receiver that wants both would configure it.
const template =
  '{"text": "Scan of {{payload.data.project.name}} finished: {{payload.data.issues_found}} ' +
  'issues ({{event_type}}, {{timestamp}})", "event": {{payload}}, "event_id": {{event_id}}, ' +
  '"sent_at": {{time}}, "source": "hookline"}';

// The same content with a placeholder as an object key: its validity depends on the value, so
// every render is re-parsed. Shows what the compile-time JSON proof saves.
const reparsedTemplate =
  '{ {{event_type}}: {"text": "Scan of {{payload.data.project.name}} finished: ' +
  '{{payload.data.issues_found}} issues", "event": {{payload}}, "sent_at": {{time}}}}';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

interface Result {
  readonly ops: number;
  readonly seconds: number;
}

function run(fn: () => number, ms: number): Result {
  let sink = 0;
  let ops = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < BATCH; i += 1) sink += fn();
    ops += BATCH;
    elapsed = process.hrtime.bigint() - start;
  }
  // Keeps the optimiser from dropping the work.
  if (sink === -1) console.log(sink);
  return { ops, seconds: Number(elapsed) / 1e9 };
}

function measure(label: string, fn: () => number): number {
  run(fn, WARMUP_MS);
  const { ops, seconds } = run(fn, MEASURE_MS);
  const perSecond = ops / seconds;
  const meanMicros = (seconds * 1e6) / ops;
  console.log(
    `${label.padEnd(44)} ${Math.round(perSecond).toString().padStart(9)} ops/s  ` +
      `${meanMicros.toFixed(2).padStart(7)} µs/op  (${ops} ops in ${seconds.toFixed(2)} s)`,
  );
  return perSecond;
}

function main(): void {
  const compiled = compileTemplate(template);
  const reparsed = compileTemplate(reparsedTemplate);
  const payloadBody = Buffer.from(JSON.stringify(payload));
  const rendered = compiled.render(payload);
  const renderedBody = Buffer.from(rendered);
  // A benchmark of a wrong result is worthless: check it once.
  const parsed = JSON.parse(rendered) as { event: unknown };
  if (JSON.stringify(parsed.event) !== JSON.stringify(payload)) {
    throw new Error('rendered {{payload}} does not round-trip');
  }
  JSON.parse(reparsed.render(payload));

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`node ${process.version}, ${cpus().length} CPUs (${cpu})`);
  console.log(`warm-up ${WARMUP_MS} ms, measure ${MEASURE_MS} ms per case`);
  console.log(`payload (default body): ${payloadBody.length} bytes`);
  console.log(`rendered custom body:   ${renderedBody.length} bytes`);
  console.log(
    `custom template:        ${Buffer.byteLength(template)} bytes, ${compiled.placeholders.length} placeholders, output proven JSON object at compile time: ${compiled.alwaysObject}`,
  );
  console.log('');

  const rendersPerSecond = measure(
    'render custom template (proven)',
    () => compiled.render(payload).length,
  );
  measure('render custom template (re-parsed output)', () => reparsed.render(payload).length);
  // The signing lib's function; node:crypto's createHmac is the baseline under it.
  measure(
    `sign payload bytes (signVendorSignature)`,
    () => signVendorSignature(payloadBody, SECRET).length,
  );
  measure(
    'sign rendered body bytes (signVendorSignature)',
    () => signVendorSignature(renderedBody, SECRET).length,
  );
  measure(
    'sign payload bytes (node:crypto baseline)',
    () => createHmac('sha256', SECRET).update(payloadBody).digest('hex').length,
  );

  console.log('');
  const meets = rendersPerSecond >= RENDER_TARGET_PER_SECOND ? 'yes' : 'no';
  console.log(
    `>= ${RENDER_TARGET_PER_SECOND} renders/s: ${meets} (${Math.round(rendersPerSecond)} renders/s)`,
  );
}

main();
