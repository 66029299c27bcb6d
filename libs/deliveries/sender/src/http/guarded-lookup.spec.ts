import type { LookupAddress } from 'node:dns';
import { EgressBlockedError } from './egress-blocked.error';
import { createGuardedLookup } from './guarded-lookup';

type Answer = {
  error: NodeJS.ErrnoException | null;
  address: string | LookupAddress[];
  family?: number;
};

function run(
  lookup: ReturnType<typeof createGuardedLookup>,
  options: { all?: boolean; family?: number },
): Promise<Answer> {
  return new Promise((resolve) => {
    lookup('receiver.test', options, (error, address, family) =>
      resolve({ error, address, family }),
    );
  });
}

const both = (): Promise<LookupAddress[]> =>
  Promise.resolve([
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ]);

describe('createGuardedLookup', () => {
  it('answers every checked address for all: true', async () => {
    const answer = await run(createGuardedLookup(['127.0.0.1/32', '::1/128'], both), { all: true });
    expect(answer.error).toBeNull();
    expect(answer.address).toEqual([
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ]);
  });

  it('answers one address of the asked family otherwise', async () => {
    const lookup = createGuardedLookup(['127.0.0.1/32', '::1/128'], both);
    expect(await run(lookup, {})).toMatchObject({ address: '127.0.0.1', family: 4 });
    expect(await run(lookup, { family: 6 })).toMatchObject({ address: '::1', family: 6 });
  });

  it('fails with EgressBlockedError when any address is refused', async () => {
    const answer = await run(createGuardedLookup(['127.0.0.1/32'], both), { all: true });
    expect(answer.error).toBeInstanceOf(EgressBlockedError);
    expect(answer.error).toMatchObject({ code: 'EGRESS_BLOCKED', address: '::1' });
  });

  it('passes resolver errors through', async () => {
    const failure = Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' });
    const answer = await run(
      createGuardedLookup([], () => Promise.reject(failure)),
      {},
    );
    expect(answer.error).toBe(failure);
  });

  it('an empty answer for the asked family is ENOTFOUND', async () => {
    const v4 = (): Promise<LookupAddress[]> =>
      Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    const answer = await run(createGuardedLookup(['127.0.0.1/32'], v4), { family: 6 });
    expect(answer.error?.code).toBe('ENOTFOUND');
  });
});
