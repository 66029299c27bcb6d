import { type FormEvent, useState } from 'react';
import { violationsByField } from '../api/client';
import type { ApiKey, CreatedApiKey, Role } from '../api/types';
import {
  type Column,
  CopyButton,
  DataTable,
  Empty,
  ErrorBox,
  Field,
  Skeleton,
  Time,
} from '../components/ui';
import { useSession } from '../session';
import { useAsync } from '../use-async';

const ROLES: Array<[Role, string]> = [
  ['viewer', 'Viewer: reads webhooks and history'],
  ['integrations', 'Integrations: manages webhooks'],
  ['admin', 'Admin: everything, secrets and keys included'],
];

export function KeysPage() {
  const { api, me } = useSession();
  const keys = useAsync(() => api<ApiKey[]>('GET', '/v1/api-keys'), [api]);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [saving, setSaving] = useState(false);
  const fieldErrors = violationsByField(error);

  async function create(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      setCreated(await api<CreatedApiKey>('POST', '/v1/api-keys', { name, role }));
      setName('');
      keys.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  }

  async function revoke(key: ApiKey) {
    const own = key.id === me.keyId ? ' This is the key you are signed in with.' : '';
    if (!window.confirm(`Revoke the key “${key.name}”? Requests with it fail from now on.${own}`))
      return;
    setError(null);
    try {
      await api('DELETE', `/v1/api-keys/${encodeURIComponent(key.id)}`);
      keys.reload();
    } catch (caught) {
      setError(caught);
    }
  }

  const columns: Array<Column<ApiKey>> = [
    { label: 'Name', cell: (key) => key.name },
    { label: 'Key', cell: (key) => <code>{key.prefix}…</code> },
    { label: 'Role', cell: (key) => key.role },
    { label: 'Created', cell: (key) => <Time iso={key.createdAt} /> },
    { label: 'Last used', cell: (key) => <Time iso={key.lastUsedAt} /> },
    {
      label: 'State',
      cell: (key) =>
        key.revokedAt ? (
          <>
            <span className="badge bad">revoked</span> <Time iso={key.revokedAt} compact />
          </>
        ) : (
          <span className="badge ok">active</span>
        ),
    },
    {
      label: 'Actions',
      actions: true,
      cell: (key) =>
        key.revokedAt ? null : (
          <button type="button" className="button small danger" onClick={() => revoke(key)}>
            Revoke
          </button>
        ),
    },
  ];

  return (
    <section aria-labelledby="keys-title">
      <div className="page-head">
        <h1 id="keys-title">API keys</h1>
      </div>
      <form className="card form compact" onSubmit={create} noValidate>
        <h2>New key</h2>
        <div className="inline-fields">
          <Field label="Name" htmlFor="key-name" errors={fieldErrors['name']}>
            <input
              id="key-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="CI deploys"
            />
          </Field>
          <Field label="Role" htmlFor="key-role" errors={fieldErrors['role']}>
            <select id="key-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" className="button primary" disabled={saving}>
            Create key
          </button>
        </div>
        {error && Object.keys(fieldErrors).length === 0 ? <ErrorBox error={error} /> : null}
        {created ? (
          <div className="secret" role="status">
            <div>
              The key <strong>{created.name}</strong> ({created.role}). It is shown once: copy it
              now.
            </div>
            <code data-testid="new-key">{created.key}</code>
            <CopyButton value={created.key} label="Copy key" />
          </div>
        ) : null}
      </form>
      <ErrorBox error={keys.error} onRetry={keys.reload} />
      {!keys.data ? (
        keys.error ? null : (
          <Skeleton rows={3} label="Loading keys" />
        )
      ) : keys.data.length === 0 ? (
        <Empty title="No keys" />
      ) : (
        <DataTable
          columns={columns}
          rows={keys.data}
          rowKey={(key) => key.id}
          rowData={(key) => ({ 'data-key-id': key.id })}
        />
      )}
    </section>
  );
}
