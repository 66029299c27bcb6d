import { EVENT_TYPES, samplePayload, type EventEnvelope } from '@hookline/contracts';
import fc from 'fast-check';
import { SLACK_MAX_VALUE_LENGTH, buildSlackMessage, escapeSlackText } from './slack-message';

const unescapeSlack = (text: string): string =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const roundTrip = (envelope: EventEnvelope): { text: string; blocks: unknown[] } =>
  JSON.parse(Buffer.from(JSON.stringify(buildSlackMessage(envelope)), 'utf8').toString('utf8'));

describe('buildSlackMessage', () => {
  it('summarises each event type of the catalog', () => {
    const texts = Object.fromEntries(
      EVENT_TYPES.map((type) => [type, buildSlackMessage(samplePayload(type)).text]),
    );
    expect(texts['scan.completed']).toBe(
      'Scan completed for *Production API* on main: 8 issues found',
    );
    expect(texts['issue.status_changed']).toBe(
      'Issue <https://app.corgea.com/issue/issue-uuid-5678/|SQL Injection> (HI) in *Production API*' +
        ' changed from open to fixed at src/controllers/user.py:45',
    );
    expect(texts['issue.assigned']).toBe(
      'Issue <https://app.corgea.com/issue/issue-uuid-5678/|Cross-Site Scripting (XSS)> (ME) in' +
        ' *Production API* assigned to Jane Doe (was John Smith)',
    );
    expect(texts['user.login']).toBe('User *jane.doe* (jane.doe@company.com) logged in');
    expect(texts['user.login_failed']).toBe('Failed login attempt for *jane.doe*');
    expect(texts['scan.started']).toMatch(/^Scan started for \*Production API\*/);
    expect(texts['scan.failed']).toMatch(/^Scan failed for \*Production API\*.*: /);
  });

  it('repeats the summary as a section block and adds a context line', () => {
    const envelope = samplePayload('scan.completed');
    const message = buildSlackMessage(envelope);
    expect(message.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: message.text },
    });
    expect(JSON.stringify(message.blocks[1])).toContain(envelope.event_id);
  });

  it('escapes & < > so a value can neither mention @channel nor forge a link', () => {
    const envelope = samplePayload('scan.completed');
    envelope.data.project.name = '<!channel> & <https://evil.example|click me>';
    const { text } = buildSlackMessage(envelope);
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click me&gt;');
    expect(text).not.toMatch(/<!channel>|<https:\/\/evil/);
  });

  it('links an issue only to an http(s) URL, with | percent-encoded', () => {
    const envelope = samplePayload('issue.status_changed');
    envelope.data.url = 'javascript:alert(1)';
    expect(buildSlackMessage(envelope).text).toMatch(/^Issue SQL Injection \(HI\)/);
    envelope.data.url = 'https://app.example.com/a|b?x=<y>&z';
    expect(buildSlackMessage(envelope).text).toContain(
      '<https://app.example.com/a%7Cb?x=%3Cy%3E&amp;z|SQL Injection>',
    );
  });

  it('cuts long values on a code point boundary', () => {
    const envelope = samplePayload('scan.completed');
    envelope.data.project.name = '🚀'.repeat(SLACK_MAX_VALUE_LENGTH * 2);
    const { text } = roundTrip(envelope);
    expect(text).toContain(`*${'🚀'.repeat(SLACK_MAX_VALUE_LENGTH - 1)}…*`);
    expect(text.length).toBeLessThan(3000);
  });

  it('never breaks the JSON, and hostile names and classifications round-trip (property)', () => {
    const hostile = fc.string({ unit: 'binary', maxLength: SLACK_MAX_VALUE_LENGTH });
    fc.assert(
      fc.property(hostile, hostile, (name, classification) => {
        const scan = samplePayload('scan.completed');
        scan.data.project.name = name;
        const issue = samplePayload('issue.status_changed');
        issue.data.project.name = name;
        issue.data.classification = classification;
        for (const envelope of [scan, issue] as EventEnvelope[]) {
          const parsed = roundTrip(envelope);
          expect(parsed).toEqual(JSON.parse(JSON.stringify(buildSlackMessage(envelope))));
          const text = unescapeSlack(parsed.text);
          expect(text).toContain(`*${name}*`);
          if (envelope.event_type === 'issue.status_changed') {
            expect(text).toContain(`|${classification}>`);
          }
          expect(parsed.text.replace(/&(?:amp|lt|gt);/g, '')).not.toMatch(/[&]/);
        }
      }),
    );
  });
});

describe('escapeSlackText', () => {
  it('escapes exactly &, < and >', () => {
    expect(escapeSlackText('a & b < c > d "e" *f*')).toBe('a &amp; b &lt; c &gt; d "e" *f*');
  });
});
