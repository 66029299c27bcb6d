import { previewBodyTemplate } from './preview-body-template';

describe('previewBodyTemplate', () => {
  it('renders the sample of each event type as the worker would send it', () => {
    const preview = previewBodyTemplate(
      '{"text": "{{event_type}} for {{payload.data.project.name}}", "at": {{time}}}',
      ['scan.completed', 'issue.assigned'],
    );
    expect(preview.issues).toEqual([]);
    expect(preview.placeholders).toEqual([
      'payload',
      'time',
      'timestamp',
      'event_type',
      'event_id',
    ]);
    expect(preview.previews.map((p) => [p.eventType, JSON.parse(p.body ?? 'null').text])).toEqual([
      ['scan.completed', 'scan.completed for Production API'],
      ['issue.assigned', 'issue.assigned for Production API'],
    ]);
    expect(preview.previews.every((p) => p.error === null)).toBe(true);
  });

  it('names the template error and where in the template it is', () => {
    const preview = previewBodyTemplate('{"a": {{nope}}}', ['scan.completed']);
    expect(preview.previews[0]).toMatchObject({
      body: null,
      error: { code: 'unknown_placeholder', line: 1, column: 7 },
    });
    expect(preview.issues[0]).toMatchObject({ code: 'unknown_placeholder', line: 1, column: 7 });
  });

  it('reports a body that is not JSON without a template position', () => {
    const preview = previewBodyTemplate('{"a": }', ['user.login']);
    expect(preview.previews[0]?.error).toMatchObject({ code: 'invalid_json', line: null });
  });

  it('refuses at save what a path no sample has, though it renders', () => {
    const preview = previewBodyTemplate('{"s": "{{payload.data.status}}"}', ['user.login']);
    expect(preview.issues.map((i) => i.code)).toEqual(['unknown_placeholder']);
  });
});
