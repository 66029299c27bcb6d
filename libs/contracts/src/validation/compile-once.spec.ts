import * as contracts from '../index';
import { ajv } from './ajv';

describe('validators', () => {
  it('are compiled when the lib loads, never per validation', () => {
    const compile = jest.spyOn(ajv, 'compile');
    const samples = contracts.EVENT_TYPES.map((type) => contracts.SAMPLE_ENVELOPES[type]);
    for (let i = 0; i < 20; i += 1) {
      for (const sample of samples) {
        contracts.parseEnvelope(JSON.stringify(sample));
        contracts.validateEnvelope({ ...sample, event_id: 'bad' });
      }
      contracts.parseDeliveryRequested('{}');
      contracts.parseWebhookConfigRecord('{}');
      contracts.parseDeliveryLogEvent('{}');
      contracts.parseEventDeadLettered('{}');
      contracts.buildEnvelope('user.login', contracts.SAMPLE_ENVELOPES['user.login'].data);
    }
    expect(compile).not.toHaveBeenCalled();
  });
});
