import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { APP_LABELS, type CaseResult, FAULT_SUITE, SUBSCRIPTIONS } from './fault-case';

const workspaceRoot = path.resolve(__dirname, '../../../..');
/** Where `npm run test:faults` leaves the table, to be copied into notes. */
export const REPORT_FILE = path.join(workspaceRoot, 'dist', 'faults', 'report.md');

const HEADER = [
  'fault',
  'events',
  'deliveries',
  'duplicates',
  'max publish-to-receipt',
  'time to recover',
  'ready false during fault',
  'result',
];

const s = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);

function row(result: CaseResult): string[] {
  const unacked = result.published - result.acked;
  return [
    `${result.name} (${s(result.faultMs)})`,
    `${result.acked}${unacked > 0 ? ` (+${unacked} not acked)` : ''}`,
    `${result.receivedPairs}/${result.expectedPairs}`,
    String(result.duplicates),
    s(result.maxPublishToReceiptMs),
    `first ${result.resumeMs === undefined ? 'never' : s(result.resumeMs)}, ` +
      `drained ${result.drainMs === undefined ? 'never' : s(result.drainMs)}`,
    result.notReadyDuringFault.map((app) => APP_LABELS[app]).join(', ') || 'none',
    result.problems.length === 0 ? 'nothing lost, recovered by itself' : 'FAILED',
  ];
}

/** The results as a Markdown table, with each case's timeline and failures below it. */
export function renderReport(
  results: readonly CaseResult[],
  wallMs: number,
  notes: readonly string[] = [],
): string {
  const rows = [HEADER, ...results.map(row)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const table = [
    line(HEADER),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.slice(1).map(line),
  ];
  const details = results.flatMap((result) => [
    '',
    `### ${result.name}`,
    '',
    ...result.timeline.map((entry) => `- ${entry}`),
    ...result.problems.map((problem) => `- FAILED: ${problem}`),
  ]);
  return [
    `# Fault suite: ${results.filter((r) => r.problems.length === 0).length} of ${results.length} cases held (${s(wallMs)})`,
    '',
    `${FAULT_SUITE.eventsPerSecond} events/s to ${SUBSCRIPTIONS.length} webhooks (an event matches ` +
      `3 or 2 of them); "events": acknowledged by the broker; "deliveries": distinct ` +
      `(event_id, path) pairs received of those the acknowledged events match; time to recover: ` +
      `from the fault's end to the first new delivery (limit ${s(FAULT_SUITE.resumeWithinMs)}) and ` +
      `until every event published before its end had reached every webhook (limit ` +
      `${s(FAULT_SUITE.drainWithinMs)}); "ready false": apps whose /ready (polled every 250 ms) ` +
      'was not 200 at some point during the fault.',
    '',
    ...table,
    '',
    ...notes.map((note) => `- ${note}`),
    '',
    '## Timelines (seconds from the fault start)',
    ...details,
    '',
  ].join('\n');
}

/** Writes the table to `dist/faults/<name>` (`report.md` unless another spec names its own). */
export function writeReport(text: string, name = path.basename(REPORT_FILE)): string {
  const file = path.join(path.dirname(REPORT_FILE), name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}
