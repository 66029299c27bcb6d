/**
 * The sum of the samples of `name` whose labels include `labels`, read from a /metrics answer
 * (text exposition format); 0 when there is none. For specs and smoke checks that watch a
 * counter move.
 */
export function sumMetric(
  exposition: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample || sample[1] !== name) continue;
    const found = new Map(
      [...(sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(
        (pair) => [pair[1], pair[2]],
      ),
    );
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value)) {
      total += Number(sample[3]);
    }
  }
  return total;
}
