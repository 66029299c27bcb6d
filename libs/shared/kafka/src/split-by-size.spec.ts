import { splitBySize } from './split-by-size';

describe('splitBySize', () => {
  const size = (n: number) => n;

  it('cuts items in order into runs of at most maxBytes', () => {
    expect(splitBySize([3, 4, 2, 5, 1], 7, size)).toEqual([[3, 4], [2, 5], [1]]);
  });

  it('gives an item larger than maxBytes a run of its own', () => {
    expect(splitBySize([2, 9, 2], 5, size)).toEqual([[2], [9], [2]]);
  });

  it('returns no runs for no items', () => {
    expect(splitBySize([], 5, size)).toEqual([]);
  });
});
