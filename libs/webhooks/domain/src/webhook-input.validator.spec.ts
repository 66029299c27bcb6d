import { validateWebhookInput, type WebhookInput } from './webhook-input.validator';

const OPTIONS = { allowHttp: false, vendor: 'Corgea' };
const VALID: WebhookInput = {
  name: 'Production Scan Alerts',
  url: 'https://hooks.example.com/in',
  type: 'other',
  events: ['scan.completed', 'issue.status_changed'],
  projectIds: ['proj-uuid-9012'],
  statusFilter: ['open', 'accepted_risk'],
  headers: { 'X-Automation-Webhook-Token': 'jira-secret', Authorization: 'Bearer abc' },
  bodyTemplate: '{"text": "Scan of {{payload.data.project.name}}: {{event_type}}"}',
};

function rulesOf(input: WebhookInput, mode: 'create' | 'update' = 'create', options = OPTIONS) {
  return validateWebhookInput(input, options, mode).map((v) => [v.field, v.rule]);
}

describe('validateWebhookInput', () => {
  it('a complete valid webhook has no violations', () => {
    expect(validateWebhookInput(VALID, OPTIONS, 'create')).toEqual([]);
  });

  it('create requires name, url, type and events', () => {
    expect(rulesOf({})).toEqual([
      ['name', 'required'],
      ['url', 'required'],
      ['type', 'required'],
      ['events', 'required'],
    ]);
  });

  it('update checks only the fields given', () => {
    expect(rulesOf({ name: 'New name' }, 'update')).toEqual([]);
  });

  it('a field the webhook does not have is unknown_field', () => {
    expect(rulesOf({ ...VALID, colour: 'red' } as WebhookInput)).toEqual([
      ['colour', 'unknown_field'],
    ]);
  });

  it('a body that is not an object is invalid_type', () => {
    expect(rulesOf(null as unknown as WebhookInput)).toEqual([['body', 'invalid_type']]);
  });

  describe('name', () => {
    it('a blank name is empty', () =>
      expect(rulesOf({ ...VALID, name: '   ' })).toEqual([['name', 'empty']]));
    it('a name over 200 characters (trimmed) is max_length', () => {
      expect(rulesOf({ ...VALID, name: 'n'.repeat(201) })).toEqual([['name', 'max_length']]);
      expect(rulesOf({ ...VALID, name: ` ${'n'.repeat(200)} ` })).toEqual([]);
    });
    it('a name that is not a string is invalid_type', () => {
      expect(rulesOf({ ...VALID, name: 3 as unknown as string })).toEqual([
        ['name', 'invalid_type'],
      ]);
    });
  });

  describe('url', () => {
    it.each([
      ['http://hooks.example.com/in', 'https_required'],
      ['ftp://hooks.example.com/in', 'https_required'],
      ['not a url', 'invalid_url'],
      [' https://hooks.example.com/in', 'invalid_url'],
      ['https://user:pw@hooks.example.com/in', 'credentials_not_allowed'],
      ['https://user@hooks.example.com/in', 'credentials_not_allowed'],
      [`https://hooks.example.com/${'a'.repeat(2048)}`, 'max_length'],
    ])('%s is %s', (url, rule) => {
      expect(rulesOf({ ...VALID, url })).toEqual([['url', rule]]);
    });

    it('a URL of exactly 2048 characters is accepted', () => {
      const url = 'https://hooks.example.com/';
      expect(rulesOf({ ...VALID, url: url + 'a'.repeat(2048 - url.length) })).toEqual([]);
    });

    it('http is accepted only with the allow-http setting', () => {
      expect(
        rulesOf({ ...VALID, url: 'http://127.0.0.1:8080/in' }, 'create', {
          ...OPTIONS,
          allowHttp: true,
        }),
      ).toEqual([]);
    });

    it('a hostless https URL never parses, so it is invalid_url (missing_host is a backstop)', () => {
      expect(rulesOf({ ...VALID, url: 'https://' })).toEqual([['url', 'invalid_url']]);
      expect(rulesOf({ ...VALID, url: 'https://%20/' })).toEqual([['url', 'invalid_url']]);
    });
  });

  it('a type outside slack, zapier, other is invalid_value', () => {
    expect(rulesOf({ ...VALID, type: 'teams' })).toEqual([['type', 'invalid_value']]);
  });

  describe('events', () => {
    it('an event type not in the catalog names its index', () => {
      expect(
        rulesOf({ ...VALID, events: ['scan.completed', 'issue.status_changed', 'scan.done'] }),
      ).toEqual([['events[2]', 'not_in_catalog']]);
    });
    it('a repeated event type is duplicate', () => {
      expect(
        rulesOf({ ...VALID, events: ['issue.status_changed', 'issue.status_changed'] }),
      ).toEqual([['events[1]', 'duplicate']]);
    });
    it('no event types is empty', () => {
      expect(rulesOf({ ...VALID, events: [], statusFilter: [] })).toEqual([['events', 'empty']]);
    });
    it('events that are not an array are invalid_type', () => {
      expect(rulesOf({ ...VALID, events: 'scan.completed' as unknown as string[] })).toEqual([
        ['events', 'invalid_type'],
      ]);
    });
  });

  describe('statusFilter', () => {
    it('a status not in the catalog is not_in_catalog', () => {
      expect(rulesOf({ ...VALID, statusFilter: ['fixd'] })).toEqual([
        ['statusFilter[0]', 'not_in_catalog'],
      ]);
    });
    it('a repeated status is duplicate', () => {
      expect(rulesOf({ ...VALID, statusFilter: ['open', 'open'] })).toEqual([
        ['statusFilter[1]', 'duplicate'],
      ]);
    });
    it('a status filter without issue.status_changed is requires_event', () => {
      expect(rulesOf({ ...VALID, events: ['scan.completed'] })).toEqual([
        ['statusFilter', 'requires_event'],
      ]);
    });
    it('an empty status filter needs no issue.status_changed', () => {
      expect(rulesOf({ ...VALID, events: ['scan.completed'], statusFilter: [] })).toEqual([]);
    });
  });

  describe('projectIds', () => {
    it('a project id that is not a string is invalid_type', () => {
      expect(rulesOf({ ...VALID, projectIds: [7 as unknown as string] })).toEqual([
        ['projectIds[0]', 'invalid_type'],
      ]);
    });
    it('a blank project id is empty', () => {
      expect(rulesOf({ ...VALID, projectIds: [' '] })).toEqual([['projectIds[0]', 'empty']]);
    });
    it('a repeated project id is duplicate', () => {
      expect(rulesOf({ ...VALID, projectIds: ['a', 'a'] })).toEqual([
        ['projectIds[1]', 'duplicate'],
      ]);
    });
    it('projectIds that are not an array are invalid_type', () => {
      expect(rulesOf({ ...VALID, projectIds: 'a' as unknown as string[] })).toEqual([
        ['projectIds', 'invalid_type'],
      ]);
    });
  });

  describe('headers', () => {
    it('a header name that is not an RFC 7230 token is invalid_token', () => {
      expect(rulesOf({ ...VALID, headers: { 'X Api Key': 'v' } })).toEqual([
        ['headers.X Api Key', 'invalid_token'],
      ]);
      expect(rulesOf({ ...VALID, headers: { 'X-Ä': 'v' } })).toEqual([
        ['headers.X-Ä', 'invalid_token'],
      ]);
    });

    // The worker sends nothing else: a value it would refuse is refused at save time.
    it.each(['\r', '\n', '\0', '\u0001', '\u007f', '\u0100', '\u2603'])(
      'a value with %j is invalid_characters',
      (char) => {
        expect(rulesOf({ ...VALID, headers: { 'X-Api-Key': `a${char}b` } })).toEqual([
          ['headers.X-Api-Key', 'invalid_characters'],
        ]);
      },
    );

    it('a value over 4096 UTF-8 bytes is max_length', () => {
      expect(rulesOf({ ...VALID, headers: { 'X-Api-Key': 'é'.repeat(2049) } })).toEqual([
        ['headers.X-Api-Key', 'max_length'],
      ]);
      expect(rulesOf({ ...VALID, headers: { 'X-Api-Key': 'a'.repeat(4096) } })).toEqual([]);
    });

    it.each([
      'Content-Type',
      'content-length',
      'HOST',
      'Transfer-Encoding',
      'Connection',
      'User-Agent',
      'X-Corgea-Signature',
      'x-corgea-anything',
      'webhook-signature',
      'Webhook-Id',
    ])('%s is forbidden_header', (name) => {
      expect(rulesOf({ ...VALID, headers: { [name]: 'v' } })).toEqual([
        [`headers.${name}`, 'forbidden_header'],
      ]);
    });

    it('the vendor prefix follows the vendor setting', () => {
      const options = { ...OPTIONS, vendor: 'Acme' };
      expect(rulesOf({ ...VALID, headers: { 'X-Corgea-Token': 'v' } }, 'create', options)).toEqual(
        [],
      );
      expect(rulesOf({ ...VALID, headers: { 'X-Acme-Token': 'v' } }, 'create', options)).toEqual([
        ['headers.X-Acme-Token', 'forbidden_header'],
      ]);
    });

    it('the same name in another case is duplicate', () => {
      expect(rulesOf({ ...VALID, headers: { 'X-Api-Key': 'a', 'x-api-key': 'b' } })).toEqual([
        ['headers.x-api-key', 'duplicate'],
      ]);
    });

    it('a value that is not a string is invalid_type', () => {
      expect(rulesOf({ ...VALID, headers: { 'X-Api-Key': 1 as unknown as string } })).toEqual([
        ['headers.X-Api-Key', 'invalid_type'],
      ]);
    });
  });

  describe('bodyTemplate', () => {
    it('a template that is not valid carries the templating error', () => {
      const violations = validateWebhookInput(
        { ...VALID, bodyTemplate: '{"a": {{#if x}}1{{/if}}}' },
        OPTIONS,
        'create',
      );
      expect(violations.length).toBeGreaterThan(0);
      expect(violations[0]).toMatchObject({
        message: expect.stringContaining('line 1'),
        field: 'bodyTemplate',
        rule: 'invalid_template',
        templateError: { code: expect.any(String) },
      });
    });

    it('a path absent from the samples of the subscribed events is invalid_template', () => {
      const violations = validateWebhookInput(
        {
          ...VALID,
          events: ['user.login'],
          statusFilter: [],
          bodyTemplate: '{"n": {{payload.data.issues_found}}}',
        },
        OPTIONS,
        'create',
      );
      expect(violations).toEqual([
        expect.objectContaining({
          field: 'bodyTemplate',
          rule: 'invalid_template',
          templateError: expect.objectContaining({ code: 'unknown_placeholder' }),
        }),
      ]);
    });

    it('the same path is accepted when a subscribed event has it', () => {
      expect(
        rulesOf({
          ...VALID,
          events: ['scan.completed'],
          statusFilter: [],
          bodyTemplate: '{"n": {{payload.data.issues_found}}}',
        }),
      ).toEqual([]);
    });

    it('null and blank mean the default payload', () => {
      expect(rulesOf({ ...VALID, bodyTemplate: null })).toEqual([]);
      expect(rulesOf({ ...VALID, bodyTemplate: '  ' })).toEqual([]);
    });

    it('a template that is not a string is invalid_type', () => {
      expect(rulesOf({ ...VALID, bodyTemplate: 5 as unknown as string })).toEqual([
        ['bodyTemplate', 'invalid_type'],
      ]);
    });

    it('on update without events the template is checked against the whole catalog', () => {
      expect(rulesOf({ bodyTemplate: '{"n": {{payload.data.issues_found}}}' }, 'update')).toEqual(
        [],
      );
      expect(rulesOf({ bodyTemplate: '{"n": {{payload.data.nope}}}' }, 'update')).toEqual([
        ['bodyTemplate', 'invalid_template'],
      ]);
    });
  });

  it('every violation is reported, not only the first', () => {
    expect(rulesOf({ name: '', url: 'http://x', type: 'x', events: ['nope'] })).toHaveLength(4);
  });
});
