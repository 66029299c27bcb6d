import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { ApiError, violationsByField } from '../api/client';
import type {
  BodyTemplatePreview,
  EventType,
  EventTypeInfo,
  Webhook,
  WebhookType,
  WebhookWithSecret,
} from '../api/types';
import { CopyButton, ErrorBox, Field, Skeleton } from '../components/ui';
import { parseProjectIds, prettyJson } from '../format';
import { href, navigate } from '../router';
import { useSession } from '../session';
import { useAsync } from '../use-async';

const TYPES: Array<[WebhookType, string]> = [
  ['slack', 'Slack'],
  ['zapier', 'Zapier'],
  ['other', 'Other'],
];
const STATUS_EVENT: EventType = 'issue.status_changed';
const MASK = '********';

interface HeaderRow {
  key: number;
  name: string;
  value: string;
  /** Saved before: its value is not known here and must be typed again to change the set. */
  saved: boolean;
}

/** The issue statuses the catalog's schema allows for `issue.status_changed`. */
function issueStatuses(catalog: EventTypeInfo[]): string[] {
  const schema = catalog.find((t) => t.type === STATUS_EVENT)?.dataSchema as
    { properties?: { status?: { enum?: string[] } } } | undefined;
  return schema?.properties?.status?.enum ?? [];
}

export function WebhookFormPage({ id }: { id?: string }) {
  const { api } = useSession();
  const catalog = useAsync(() => api<EventTypeInfo[]>('GET', '/v1/event-types'), [api]);
  const existing = useAsync(
    () =>
      id
        ? api<Webhook>('GET', `/v1/webhooks/${encodeURIComponent(id)}`)
        : Promise.resolve(undefined),
    [api, id],
  );
  if (catalog.error || existing.error) {
    const retry = () => {
      if (catalog.error) catalog.reload();
      if (existing.error) existing.reload();
    };
    return <ErrorBox error={catalog.error ?? existing.error} onRetry={retry} />;
  }
  if (!catalog.data || (id && !existing.data)) return <Skeleton rows={8} label="Loading form" />;
  return <WebhookForm catalog={catalog.data} webhook={existing.data} />;
}

function WebhookForm({ catalog, webhook }: { catalog: EventTypeInfo[]; webhook?: Webhook }) {
  const { api } = useSession();
  const editing = webhook !== undefined;
  const [name, setName] = useState(webhook?.name ?? '');
  const [url, setUrl] = useState(webhook?.url ?? '');
  const [type, setType] = useState<WebhookType>(webhook?.type ?? 'other');
  const [events, setEvents] = useState<EventType[]>(webhook?.events ?? []);
  const [projects, setProjects] = useState((webhook?.projectIds ?? []).join('\n'));
  const [statusFilter, setStatusFilter] = useState<string[]>(webhook?.statusFilter ?? []);
  const [headers, setHeaders] = useState<HeaderRow[]>(
    Object.keys(webhook?.headers ?? {}).map((n, i) => ({
      key: i,
      name: n,
      value: '',
      saved: true,
    })),
  );
  const [headersTouched, setHeadersTouched] = useState(false);
  const [bodyTemplate, setBodyTemplate] = useState(webhook?.bodyTemplate ?? '');
  const [generateSecret, setGenerateSecret] = useState(true);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<WebhookWithSecret | null>(null);
  // The fields the last request sent: a violation of any other is shown above the form.
  const [sentFields, setSentFields] = useState<string[]>([]);
  const fieldErrors = useMemo(() => violationsByField(error), [error]);
  const statuses = issueStatuses(catalog);
  const offersStatusFilter = events.includes(STATUS_EVENT);

  const toggleEvent = (eventType: EventType, on: boolean) =>
    setEvents((current) => (on ? [...current, eventType] : current.filter((e) => e !== eventType)));
  const editHeaders = (change: (rows: HeaderRow[]) => HeaderRow[]) => {
    setHeadersTouched(true);
    setHeaders(change);
  };

  const headerProblems = headersTouched
    ? headers.filter((h) => h.name.trim() !== '' && h.value === '').map((h) => h.name)
    : [];

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (headerProblems.length > 0) {
      setError(
        new ApiError(400, 'validation_failed', 'Type the value of every header again.', [
          {
            field: 'headers',
            rule: 'required',
            message: `Header values are never shown: type the value of ${headerProblems.join(', ')} again, or remove it.`,
          },
        ]),
      );
      return;
    }
    const body: Record<string, unknown> = {
      name,
      url,
      type,
      events,
      projectIds: parseProjectIds(projects),
      statusFilter: offersStatusFilter ? statusFilter : [],
      bodyTemplate: bodyTemplate.trim() === '' ? null : bodyTemplate,
    };
    if (!editing || headersTouched) {
      body['headers'] = Object.fromEntries(
        headers.filter((h) => h.name.trim() !== '').map((h) => [h.name.trim(), h.value]),
      );
    }
    if (!editing && generateSecret) body['generateSecret'] = true;
    setSentFields(Object.keys(body));
    setSaving(true);
    setError(null);
    try {
      if (editing) {
        await api<Webhook>('PATCH', `/v1/webhooks/${encodeURIComponent(webhook.id)}`, body);
        navigate(href(['webhooks', webhook.id]));
      } else {
        const result = await api<WebhookWithSecret>('POST', '/v1/webhooks', body);
        if (result.secret) setCreated(result);
        else navigate(href(['webhooks', result.id]));
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  }

  if (created?.secret) {
    return (
      <section aria-labelledby="secret-title" className="card">
        <h1 id="secret-title">Webhook created</h1>
        <p>
          This is the signing secret of <strong>{created.name}</strong>. It is shown once: copy it
          to your receiver now. An admin can rotate it later.
        </p>
        <div className="secret">
          <code data-testid="secret">{created.secret}</code>
          <CopyButton value={created.secret} label="Copy secret" />
        </div>
        <a className="button primary" href={href(['webhooks', created.id])}>
          Go to the webhook
        </a>
      </section>
    );
  }

  const unplacedErrors = Object.entries(fieldErrors)
    .filter(([field]) => !sentFields.includes(field) || field === 'generateSecret')
    .flatMap(([, messages]) => messages);

  return (
    <section aria-labelledby="form-title">
      <div className="page-head">
        <h1 id="form-title">{editing ? `Edit ${webhook.name}` : 'Create webhook'}</h1>
      </div>
      <form className="form" onSubmit={submit} noValidate>
        {error && !(error instanceof ApiError && error.violations.length > 0) ? (
          <ErrorBox error={error} />
        ) : null}
        {unplacedErrors.length > 0 ? (
          <div className="notice error" role="alert">
            {unplacedErrors.join(' ')}
          </div>
        ) : null}
        <Field label="Name" htmlFor="name" errors={fieldErrors['name']}>
          <input
            id="name"
            value={name}
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
            placeholder="Production scan alerts"
            aria-invalid={Boolean(fieldErrors['name'])}
          />
        </Field>
        <Field
          label="Webhook URL"
          htmlFor="url"
          hint="HTTPS only. For Slack and Zapier, the URL they give you."
          errors={fieldErrors['url']}
        >
          <input
            id="url"
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://hooks.slack.com/services/…"
            aria-invalid={Boolean(fieldErrors['url'])}
          />
        </Field>
        <fieldset className="field">
          <legend>Type</legend>
          <div className="options inline">
            {TYPES.map(([value, label]) => (
              <label key={value} className="option">
                <input
                  type="radio"
                  name="type"
                  value={value}
                  checked={type === value}
                  onChange={() => setType(value)}
                />
                {label}
              </label>
            ))}
          </div>
          {fieldErrors['type'] ? (
            <div className="field-error" role="alert">
              {fieldErrors['type'].join(' ')}
            </div>
          ) : null}
        </fieldset>
        <fieldset className={`field${fieldErrors['events'] ? ' invalid' : ''}`}>
          <legend>Events</legend>
          <div className="options grid">
            {catalog.map((entry) => (
              <label key={entry.type} className="option" title={entry.description}>
                <input
                  type="checkbox"
                  value={entry.type}
                  checked={events.includes(entry.type)}
                  onChange={(e) => toggleEvent(entry.type, e.target.checked)}
                />
                <span>
                  <code>{entry.type}</code>
                  <span className="muted small"> {entry.description}</span>
                </span>
              </label>
            ))}
          </div>
          {fieldErrors['events'] ? (
            <div className="field-error" role="alert" data-field-error="events">
              {fieldErrors['events'].join(' ')}
            </div>
          ) : null}
        </fieldset>
        <Field
          label="Project filter"
          htmlFor="projects"
          hint="Project ids, one per line or comma-separated. Empty: every project."
          errors={fieldErrors['projectIds']}
        >
          <textarea
            id="projects"
            rows={2}
            value={projects}
            onChange={(e) => setProjects(e.target.value)}
          />
        </Field>
        {offersStatusFilter ? (
          <fieldset className={`field${fieldErrors['statusFilter'] ? ' invalid' : ''}`}>
            <legend>Status change filter</legend>
            <div className="hint">
              For <code>issue.status_changed</code>: only these new statuses. None: every change.
            </div>
            <div className="options inline">
              {statuses.map((status) => (
                <label key={status} className="option">
                  <input
                    type="checkbox"
                    checked={statusFilter.includes(status)}
                    onChange={(e) =>
                      setStatusFilter((current) =>
                        e.target.checked
                          ? [...current, status]
                          : current.filter((s) => s !== status),
                      )
                    }
                  />
                  {status}
                </label>
              ))}
            </div>
            {fieldErrors['statusFilter'] ? (
              <div className="field-error" role="alert">
                {fieldErrors['statusFilter'].join(' ')}
              </div>
            ) : null}
          </fieldset>
        ) : null}
        <fieldset className={`field${fieldErrors['headers'] ? ' invalid' : ''}`}>
          <legend>Custom headers</legend>
          <div className="hint">
            Sent with every call, e.g. <code>X-Automation-Webhook-Token</code> for Jira. Values are
            stored encrypted and never shown again.
          </div>
          {headers.map((row, index) => (
            <div className="header-row" key={row.key}>
              <input
                aria-label={`Header ${index + 1} name`}
                placeholder="Header name"
                value={row.name}
                onChange={(e) =>
                  editHeaders((rows) =>
                    rows.map((r) => (r.key === row.key ? { ...r, name: e.target.value } : r)),
                  )
                }
              />
              <input
                aria-label={`Header ${index + 1} value`}
                type="password"
                autoComplete="off"
                placeholder={row.saved ? `${MASK} (saved; type to replace)` : 'Value'}
                value={row.value}
                onChange={(e) =>
                  editHeaders((rows) =>
                    rows.map((r) => (r.key === row.key ? { ...r, value: e.target.value } : r)),
                  )
                }
              />
              <button
                type="button"
                className="button small ghost"
                onClick={() => editHeaders((rows) => rows.filter((r) => r.key !== row.key))}
              >
                Remove
              </button>
            </div>
          ))}
          <button
            type="button"
            className="button small"
            onClick={() =>
              editHeaders((rows) => [
                ...rows,
                { key: Date.now(), name: '', value: '', saved: false },
              ])
            }
          >
            Add header
          </button>
          {fieldErrors['headers'] ? (
            <div className="field-error" role="alert" data-field-error="headers">
              {fieldErrors['headers'].join(' ')}
            </div>
          ) : null}
        </fieldset>
        {!editing ? (
          <fieldset className="field">
            <legend>Signing secret</legend>
            <label className="option">
              <input
                type="checkbox"
                checked={generateSecret}
                onChange={(e) => setGenerateSecret(e.target.checked)}
              />
              <span>
                Generate a secret: each call carries an <code>X-Corgea-Signature</code> your
                receiver verifies. It is shown once, after saving.
              </span>
            </label>
          </fieldset>
        ) : (
          <div className="field">
            <span className="label">Signing secret</span>
            <div className="hint">
              {webhook.hasSecret ? 'Set.' : 'None: calls go out unsigned.'} It is generated and
              rotated on <a href={href(['webhooks', webhook.id])}>the webhook’s page</a>.
            </div>
          </div>
        )}
        <BodyTemplateField
          value={bodyTemplate}
          onChange={setBodyTemplate}
          events={events}
          errors={fieldErrors['bodyTemplate']}
        />
        <div className="actions">
          <button type="submit" className="button primary" disabled={saving}>
            {saving ? 'Saving…' : editing ? 'Save changes' : 'Create webhook'}
          </button>
          <a
            className="button ghost"
            href={editing ? href(['webhooks', webhook.id]) : href(['webhooks'])}
          >
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}

/** The custom body with its placeholders and a live preview for each chosen event type. */
function BodyTemplateField({
  value,
  onChange,
  events,
  errors,
}: {
  value: string;
  onChange: (value: string) => void;
  events: EventType[];
  errors: string[] | undefined;
}) {
  const { api } = useSession();
  const [preview, setPreview] = useState<BodyTemplatePreview | null>(null);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const previewTypes = events.length > 0 ? events : (['scan.completed'] as EventType[]);
  const typesKey = previewTypes.join(',');

  useEffect(() => {
    if (value.trim() === '') {
      setPreview(null);
      setPreviewError(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      api<BodyTemplatePreview>('POST', '/v1/webhooks/preview-body', {
        bodyTemplate: value,
        events: previewTypes,
      }).then(
        (result) => {
          if (!current) return;
          setPreview(result);
          setPreviewError(null);
        },
        (error: unknown) => current && setPreviewError(error),
      );
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // typesKey stands for previewTypes.
  }, [api, value, typesKey]);

  // What a save refuses beyond the render errors each preview shows (a path no sample has).
  const renderErrors = (preview?.previews ?? []).map((p) => p.error?.message ?? '');
  const saveOnlyIssues = (preview?.issues ?? []).filter(
    (issue) => !renderErrors.some((message) => message !== '' && message.includes(issue.message)),
  );

  return (
    <div className={`field${errors?.length ? ' invalid' : ''}`}>
      <label htmlFor="bodyTemplate">Custom body</label>
      <div className="hint">
        A JSON object sent instead of the default payload. Blank: the default payload. Placeholders:{' '}
        {['payload', 'time', 'timestamp', 'event_type', 'event_id'].map((p) => (
          <code key={p} className="placeholder">{`{{${p}}}`}</code>
        ))}{' '}
        and fields such as <code>{'{{payload.data.project.name}}'}</code>.
      </div>
      <textarea
        id="bodyTemplate"
        className="code"
        rows={6}
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={
          '{"text": "Scan of {{payload.data.project.name}} found {{payload.data.issues_found}} issues"}'
        }
        aria-invalid={Boolean(errors?.length)}
      />
      {errors?.length ? (
        <div className="field-error" role="alert" data-field-error="bodyTemplate">
          {errors.join(' ')}
        </div>
      ) : null}
      {value.trim() !== '' ? (
        <div className="preview" aria-live="polite">
          <ErrorBox error={previewError} />
          {saveOnlyIssues.length ? (
            <ul className="issues">
              {saveOnlyIssues.map((issue, i) => (
                <li key={i} className="field-error">
                  {issue.message}
                </li>
              ))}
            </ul>
          ) : null}
          {preview?.previews.map((p) => (
            <div key={p.eventType} className="preview-item">
              <div className="preview-title">
                Preview for the <code>{p.eventType}</code> sample
              </div>
              {p.error ? (
                <div className="field-error" data-testid="template-error">
                  {p.error.message}
                </div>
              ) : (
                <pre className="code-block">{prettyJson(p.body)}</pre>
              )}
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
