/**
 * Items in order, cut into runs whose sizes (`sizeOf`) add up to at most `maxBytes` (an item
 * larger than that makes a run of its own): the requests a producer sends one after the other so
 * that none exceeds what a broker accepts.
 */
export function splitBySize<T>(
  items: readonly T[],
  maxBytes: number,
  sizeOf: (item: T) => number,
): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (run.length > 0 && bytes + size > maxBytes) {
      runs.push(run);
      run = [];
      bytes = 0;
    }
    run.push(item);
    bytes += size;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
