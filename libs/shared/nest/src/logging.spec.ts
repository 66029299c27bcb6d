import pino from 'pino';
import { Writable } from 'node:stream';
import { LOG_REDACT_PATHS } from './logging';

describe('log redaction', () => {
  const capture = () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } }, stream);
    return { logger, text: () => lines.join('') };
  };

  it('never writes a signing secret, a custom header value, an API key or a bearer token', () => {
    const { logger, text } = capture();
    logger.info(
      {
        secret: 'whsec_top-level',
        webhook: {
          id: 'wh_1',
          secret: 'whsec_nested',
          headers: { 'X-Automation-Webhook-Token': 'jira-token-value' },
        },
        command: { previousSecret: 'whsec_old', signingSecret: 'whsec_signing' },
        apiKey: 'hk_plain_key',
        req: { headers: { authorization: 'Bearer hk_bearer_value', cookie: 'sid=1' } },
      },
      'webhook updated',
    );
    const output = text();
    for (const value of [
      'whsec_top-level',
      'whsec_nested',
      'jira-token-value',
      'whsec_old',
      'whsec_signing',
      'hk_plain_key',
      'hk_bearer_value',
      'sid=1',
    ]) {
      expect(output).not.toContain(value);
    }
    expect(JSON.parse(output)).toMatchObject({ msg: 'webhook updated', webhook: { id: 'wh_1' } });
  });
});
