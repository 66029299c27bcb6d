import { type Bucket, localTime } from '../format';

/** What one hour's bar stands for, on hover: its start in the user's zone and its counts. */
function barTitle(b: Bucket): string {
  return `${localTime(new Date(b.start).toISOString())}, 1 hour: ${b.delivered} delivered, ${b.failed} failed, ${b.other} pending or skipped`;
}

/** Deliveries per hour as small bars: delivered green, failed red stacked on top, the rest grey. */
export function DeliveryChart({
  buckets,
  label,
  width = 120,
  height = 28,
}: {
  buckets: Bucket[];
  label: string;
  width?: number;
  height?: number;
}) {
  const max = Math.max(1, ...buckets.map((b) => b.delivered + b.failed + b.other));
  const bar = width / buckets.length;
  const total = buckets.reduce((n, b) => n + b.delivered + b.failed + b.other, 0);
  const failed = buckets.reduce((n, b) => n + b.failed, 0);
  const summary = `${label}: ${total} deliveries in the last 24 hours, ${failed} failed`;
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      preserveAspectRatio="none"
      role="img"
      aria-label={summary}
    >
      <title>{summary}</title>
      <line x1="0" y1={height - 0.5} x2={width} y2={height - 0.5} className="chart-axis" />
      {buckets.map((b, i) => {
        const scale = (n: number) => (n / max) * (height - 2);
        const ok = scale(b.delivered);
        const bad = scale(b.failed);
        const other = scale(b.other);
        const x = i * bar + 0.5;
        const w = Math.max(1, bar - 1);
        return (
          <g key={b.start}>
            <title>{barTitle(b)}</title>
            <rect x={x} y={height - 1 - ok} width={w} height={ok} className="chart-ok" />
            <rect x={x} y={height - 1 - ok - bad} width={w} height={bad} className="chart-bad" />
            <rect
              x={x}
              y={height - 1 - ok - bad - other}
              width={w}
              height={other}
              className="chart-other"
            />
          </g>
        );
      })}
    </svg>
  );
}
