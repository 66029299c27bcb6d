import { EVENT_TYPES } from '../catalog/event-types';
import { validateEnvelope } from '../envelope/validate-envelope';
import { SAMPLE_ENVELOPES, samplePayload } from './sample-envelopes';

describe('sample payloads', () => {
  it('exist for every event type, each of its own type, each valid', () => {
    expect(Object.keys(SAMPLE_ENVELOPES).sort()).toEqual([...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) {
      expect(SAMPLE_ENVELOPES[type].event_type).toBe(type);
      expect(validateEnvelope(samplePayload(type)).ok).toBe(true);
    }
  });

  it('have distinct event ids', () => {
    const ids = EVENT_TYPES.map((type) => SAMPLE_ENVELOPES[type].event_id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('scan.started and scan.failed share the scan.completed fields; a failure carries its error', () => {
    const completed = SAMPLE_ENVELOPES['scan.completed'].data;
    const { issues_found: _found, processed_at: _done, ...scanFields } = completed;
    expect(Object.keys(SAMPLE_ENVELOPES['scan.started'].data).sort()).toEqual(
      Object.keys(scanFields).sort(),
    );
    const failed = SAMPLE_ENVELOPES['scan.failed'].data;
    expect(Object.keys(failed).sort()).toEqual(
      [...Object.keys(scanFields), 'error', 'processed_at'].sort(),
    );
    expect(failed.error.length).toBeGreaterThan(0);
  });

  it('samplePayload returns a copy: changing it leaves the shared sample intact', () => {
    const copy = samplePayload('user.login');
    copy.data.username = 'changed';
    expect(SAMPLE_ENVELOPES['user.login'].data.username).toBe('jane.doe');
    expect(Object.isFrozen(SAMPLE_ENVELOPES['user.login'].data)).toBe(true);
  });
});
