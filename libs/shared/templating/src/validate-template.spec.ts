import { MAX_TEMPLATE_BYTES, validateTemplate, type TemplatePayload } from './index';
import { scanCompleted } from './scan-completed.fixture';

const issueStatusChanged: TemplatePayload = {
  event_id: '7d9f0c1e-2b3a-4c5d-8e6f-0a1b2c3d4e5f',
  event_type: 'issue.status_changed',
  timestamp: '2025-01-15T15:00:00.000Z',
  data: { issue: { id: 'issue-uuid', status: 'fixed' }, project: { name: 'My Application' } },
};

const SLACK =
  '{"text": "Scan of {{payload.data.project.name}} finished: {{payload.data.issues_found}} issues"}';

describe('validateTemplate', () => {
  it('accepts the Slack example for the event it is written for', () => {
    expect(validateTemplate(SLACK, [scanCompleted()])).toEqual([]);
  });

  it('accepts every seed placeholder in value and string position', () => {
    const template =
      '{"event": {{payload}}, "t": {{time}}, "ts": {{timestamp}}, "type": {{event_type}}, ' +
      '"id": {{event_id}}, "text": "{{event_type}} {{event_id}} at {{timestamp}} ({{time}})"}';
    expect(validateTemplate(template, [scanCompleted(), issueStatusChanged])).toEqual([]);
  });

  it('accepts a path that only some of the subscribed event types have', () => {
    expect(validateTemplate(SLACK, [scanCompleted(), issueStatusChanged])).toEqual([]);
  });

  it('reports a payload path that no sample has, naming it and the samples', () => {
    const template = '{"text": "{{payload.data.project.nmae}}"}';
    expect(validateTemplate(template, [scanCompleted(), issueStatusChanged])).toEqual([
      {
        code: 'unknown_placeholder',
        message:
          '{{payload.data.project.nmae}} is not in any sample payload ' +
          '(scan.completed, issue.status_changed) (line 1, column 11)',
        line: 1,
        column: 11,
      },
    ]);
  });

  it('reports a syntax error with its position and stops there', () => {
    const issues = validateTemplate('{"a": {{payload.data', [scanCompleted()]);
    expect(issues).toEqual([expect.objectContaining({ code: 'syntax_error', line: 1, column: 7 })]);
    expect(issues[0]?.message).toMatch(/never closed/);
  });

  it('reports every unknown placeholder and helper, not just the first', () => {
    const issues = validateTemplate(
      '{"a": {{user}},\n "b": {{#each payload.data}}x{{/each}},\n "c": {{payload.constructor}}}',
      [scanCompleted()],
    );
    expect(issues.map(({ code, line }) => [code, line])).toEqual([
      ['unknown_placeholder', 1],
      ['unsupported_syntax', 2],
      ['unsupported_syntax', 2],
      ['forbidden_path', 3],
    ]);
  });

  it('reports a template that renders invalid JSON, with the position in the body', () => {
    const issues = validateTemplate('{"text": "{{event_type}}"', [scanCompleted()]);
    expect(issues).toEqual([
      {
        code: 'invalid_json',
        message: expect.stringMatching(
          /^sample 0 \(scan\.completed\): rendered body is not valid JSON: unexpected end of input.* at position 25 /,
        ),
        sampleIndex: 0,
      },
    ]);
  });

  it('reports, per sample, a template whose validity depends on the event', () => {
    // A bare placeholder as a key: a string key for one event, a number for the other.
    const template = '{ {{payload.data.key}}: true }';
    const keyed = (key: unknown): TemplatePayload => ({ ...scanCompleted(), data: { key } });
    const issues = validateTemplate(template, [keyed('ok'), keyed(42)]);
    expect(issues).toEqual([expect.objectContaining({ code: 'invalid_json', sampleIndex: 1 })]);
  });

  it('reports a template that renders a JSON array', () => {
    expect(validateTemplate('[{{payload}}]', [scanCompleted()])).toEqual([
      expect.objectContaining({ code: 'not_an_object', sampleIndex: 0 }),
    ]);
  });

  it('still checks the JSON structure when no samples are given', () => {
    expect(validateTemplate('{"a": {{payload}}', [])).toEqual([
      expect.objectContaining({ code: 'invalid_json' }),
    ]);
    expect(validateTemplate('{"a": {{payload.data.anything}}}', [])).toEqual([]);
  });

  it('reports an oversized template without parsing it', () => {
    const template = `{"a": "${'x'.repeat(MAX_TEMPLATE_BYTES)}"}`;
    expect(validateTemplate(template, [scanCompleted()])).toEqual([
      {
        code: 'template_too_large',
        message: `template is ${MAX_TEMPLATE_BYTES + 9} bytes, over the 65536-byte limit`,
      },
    ]);
  });

  it('reports a sample whose rendered body is over the output limit', () => {
    const big = scanCompleted({ blob: 'x'.repeat(600_000) });
    expect(validateTemplate('{"a": {{payload}}, "b": {{payload}}}', [big])).toEqual([
      expect.objectContaining({ code: 'output_too_large', sampleIndex: 0 }),
    ]);
  });
});
