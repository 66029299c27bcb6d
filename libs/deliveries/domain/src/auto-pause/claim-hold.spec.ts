import { holdAtClaim, stillHeld } from './claim-hold';

describe('holdAtClaim', () => {
  const none = { pauseRequested: false, pausedAtVersion: null };

  it('sends to an active webhook, and to one the config API has recorded nothing of', () => {
    expect(holdAtClaim({ ...none, status: 'active', version: 3 })).toBe('send');
    expect(holdAtClaim(none)).toBe('send');
  });

  it('holds a webhook paused by hand or automatically, whatever the streak says', () => {
    expect(holdAtClaim({ ...none, status: 'paused', version: 4 })).toBe('paused');
    expect(
      holdAtClaim({ status: 'paused', version: 4, pauseRequested: true, pausedAtVersion: 3 }),
    ).toBe('paused');
  });

  it('holds once the threshold failure was recorded, before the config API executed the pause', () => {
    expect(
      holdAtClaim({ status: 'active', version: 3, pauseRequested: true, pausedAtVersion: 3 }),
    ).toBe('paused');
    expect(holdAtClaim({ pauseRequested: true, pausedAtVersion: 3 })).toBe('paused');
  });

  it('sends again once re-activated by hand at a later version than the pause was decided at', () => {
    expect(
      holdAtClaim({ status: 'active', version: 5, pauseRequested: true, pausedAtVersion: 3 }),
    ).toBe('send');
  });

  it('does not hold on a pause request that named no version (the webhook was unknown)', () => {
    expect(
      holdAtClaim({ status: 'active', version: 1, pauseRequested: true, pausedAtVersion: null }),
    ).toBe('send');
  });

  it('skips a deleted webhook', () => {
    expect(holdAtClaim({ ...none, status: 'deleted', version: 7 })).toBe('deleted');
  });
});

describe('stillHeld', () => {
  it('keeps a held request held unless the webhook was re-activated after the version matched', () => {
    expect(stillHeld({ held: true, webhookVersion: 4 }, { status: 'paused', version: 4 })).toBe(
      true,
    );
    expect(stillHeld({ held: true, webhookVersion: 4 }, {})).toBe(true);
    expect(stillHeld({ held: true, webhookVersion: 4 }, { status: 'active', version: 4 })).toBe(
      true,
    );
    expect(stillHeld({ held: true, webhookVersion: 4 }, { status: 'active', version: 5 })).toBe(
      false,
    );
    expect(stillHeld({ webhookVersion: 4 }, { status: 'paused', version: 5 })).toBe(false);
  });
});
