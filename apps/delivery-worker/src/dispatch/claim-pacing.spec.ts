import { ClaimPacing } from './claim-pacing';

describe('ClaimPacing', () => {
  it('waits after a claim that found less than it asked for, and is not woken by its calls', () => {
    const pacing = new ClaimPacing(4);
    expect(pacing.claimed({ asked: 10, webhookIds: ['a', 'b', 'a'] })).toBe(false);
    expect(pacing.callReturned()).toBe(false);
    expect(pacing.released('a', false)).toBe(false);
    expect(pacing.released('b', false)).toBe(false);
  });

  it('waits after a claim that found nothing', () => {
    const pacing = new ClaimPacing(4);
    expect(pacing.claimed({ asked: 10, webhookIds: [] })).toBe(false);
  });

  it('claims again after a claim that took all it asked for, and wakes as slots free', () => {
    const pacing = new ClaimPacing(4);
    expect(pacing.claimed({ asked: 2, webhookIds: ['a', 'b'] })).toBe(true);
    expect(pacing.callReturned()).toBe(true);
    expect(pacing.released('a', false)).toBe(true);
  });

  it('wakes as slots free when there were none to claim with', () => {
    const pacing = new ClaimPacing(4);
    pacing.claimed({ asked: 10, webhookIds: ['a'] });
    expect(pacing.callReturned()).toBe(false);
    pacing.noSlots();
    expect(pacing.callReturned()).toBe(true);
    expect(pacing.released('a', false)).toBe(true);
  });

  it('claims again when a webhook reached its limit, and wakes when its outcome frees room', () => {
    const pacing = new ClaimPacing(2);
    expect(pacing.claimed({ asked: 10, webhookIds: ['a'] })).toBe(false);
    // The second row of `a` takes it to its limit: its rows may have hidden others' from the scan.
    expect(pacing.claimed({ asked: 10, webhookIds: ['a', 'b'] })).toBe(true);
    expect(pacing.heldFor('a')).toBe(2);
    // A call returning keeps its lease until the outcome is recorded: no room yet.
    expect(pacing.callReturned()).toBe(false);
    expect(pacing.released('b', false)).toBe(false);
    expect(pacing.released('a', false)).toBe(true);
    expect(pacing.heldFor('a')).toBe(1);
    expect(pacing.released('a', false)).toBe(false);
    expect(pacing.heldFor('a')).toBe(0);
  });

  it('wakes when an ordered delivery is released: the next row of its lane may be claimable', () => {
    const pacing = new ClaimPacing(4);
    pacing.claimed({ asked: 10, webhookIds: ['a'] });
    expect(pacing.released('a', true)).toBe(true);
  });

  it('forgets the slot bound once a claim finds less than it asked for', () => {
    const pacing = new ClaimPacing(4);
    pacing.noSlots();
    pacing.claimed({ asked: 10, webhookIds: ['a'] });
    expect(pacing.callReturned()).toBe(false);
  });
});
