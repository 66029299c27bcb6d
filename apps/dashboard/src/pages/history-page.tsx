import { type FormEvent, useEffect, useState } from 'react';
import { downloadFile, query } from '../api/client';
import type {
  DeliverySummary,
  EventTypeInfo,
  HistoryPage,
  HistoryStatus,
  Page,
  Webhook,
} from '../api/types';
import {
  type Column,
  DataTable,
  DeliveryStatusBadge,
  Empty,
  ErrorBox,
  Skeleton,
  Time,
  errorText,
} from '../components/ui';
import { isoToLocalInput, localInputToIso } from '../format';
import { href, navigate, type Route } from '../router';
import { useSession } from '../session';
import { useAsync } from '../use-async';

const STATUSES: HistoryStatus[] = ['delivered', 'failed', 'pending', 'skipped'];
const FILTERS = ['from', 'to', 'eventType', 'status', 'webhookId'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

function filtersOf(route: Route): Filters {
  return Object.fromEntries(FILTERS.map((name) => [name, route.query.get(name) ?? ''])) as Filters;
}

export function HistoryPage({ route }: { route: Route }) {
  const { api, apiKey, can } = useSession();
  const [retried, setRetried] = useState<Record<string, string>>({});
  const applied = filtersOf(route);
  const appliedKey = JSON.stringify(applied);
  const [draft, setDraft] = useState(applied);
  useEffect(() => setDraft(filtersOf(route)), [appliedKey]);
  const [pages, setPages] = useState<Page<DeliverySummary>[]>([]);
  const [more, setMore] = useState<{ loading: boolean; error: unknown }>({
    loading: false,
    error: null,
  });
  const [exportError, setExportError] = useState<unknown>(null);
  const [exporting, setExporting] = useState(false);

  const filterQuery = {
    from: applied.from,
    to: applied.to,
    eventType: applied.eventType,
    status: applied.status,
    webhookId: applied.webhookId,
  };
  const first = useAsync(async () => {
    setPages([]);
    return api<HistoryPage<DeliverySummary>>(
      'GET',
      `/v1/deliveries${query({ ...filterQuery, limit: 50 })}`,
    );
  }, [api, appliedKey]);
  const webhooks = useAsync(() => api<Page<Webhook>>('GET', '/v1/webhooks?limit=100'), [api]);
  const catalog = useAsync(() => api<EventTypeInfo[]>('GET', '/v1/event-types'), [api]);
  const names = new Map((webhooks.data?.items ?? []).map((w) => [w.id, w.name]));
  const all = first.data ? [first.data, ...pages] : [];
  const items = all.flatMap((p) => p.items);
  const nextCursor = all.at(-1)?.nextCursor ?? null;

  function apply(event: FormEvent) {
    event.preventDefault();
    navigate(
      href(['history'], {
        ...draft,
        from: draft.from,
        to: draft.to,
      }),
    );
  }

  async function loadMore() {
    if (!nextCursor) return;
    setMore({ loading: true, error: null });
    try {
      const page = await api<Page<DeliverySummary>>(
        'GET',
        `/v1/deliveries${query({ ...filterQuery, limit: 50, cursor: nextCursor })}`,
      );
      setPages((current) => [...current, page]);
      setMore({ loading: false, error: null });
    } catch (error) {
      setMore({ loading: false, error });
    }
  }

  async function retry(id: string) {
    setRetried((current) => ({ ...current, [id]: 'Retrying…' }));
    try {
      const result = await api<{ attempt: number }>(
        'POST',
        `/v1/deliveries/${encodeURIComponent(id)}/retry`,
      );
      setRetried((current) => ({ ...current, [id]: `Attempt ${result.attempt} queued` }));
    } catch (error) {
      setRetried((current) => ({ ...current, [id]: errorText(error) }));
    }
  }

  async function exportCsv() {
    setExporting(true);
    setExportError(null);
    try {
      await downloadFile(apiKey, `/v1/deliveries/export${query(filterQuery)}`, 'deliveries.csv');
    } catch (error) {
      setExportError(error);
    } finally {
      setExporting(false);
    }
  }

  const columns: Array<Column<DeliverySummary>> = [
    {
      label: 'Created',
      className: 'nowrap',
      cell: (d) => (
        <a href={href(['history', d.id])}>
          <Time iso={d.createdAt} focusable={false} />
        </a>
      ),
    },
    {
      label: 'Event type',
      cell: (d) => (
        <>
          <code>{d.eventType}</code>
          {d.test ? <span className="badge info">test</span> : null}
        </>
      ),
    },
    {
      label: 'Webhook',
      // A webhook not among those listed (deleted since): its id, cut short.
      cell: (d) =>
        names.get(d.webhookId) ?? (
          <code className="muted" title={d.webhookId}>
            {d.webhookId.slice(0, 11)}…
          </code>
        ),
    },
    { label: 'Status', cell: (d) => <DeliveryStatusBadge status={d.status} /> },
    { label: 'HTTP', className: 'num', cell: (d) => d.lastStatusCode ?? '–' },
    { label: 'Attempts', className: 'num', cell: (d) => d.attemptCount },
    {
      label: 'Last error',
      cell: (d) => (
        <div className="truncate" title={d.lastError ?? undefined}>
          {d.lastError ?? ''}
        </div>
      ),
    },
  ];
  if (can('webhooks:write')) {
    columns.push({
      label: 'Actions',
      actions: true,
      className: 'nowrap',
      cell: (d) =>
        retried[d.id] ? (
          <span className="small" role="status">
            {retried[d.id]}
          </span>
        ) : d.status === 'failed' ? (
          <button type="button" className="button small" onClick={() => retry(d.id)}>
            Retry
          </button>
        ) : null,
    });
  }

  const set = (name: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft((current) => ({ ...current, [name]: e.target.value }));

  return (
    <section aria-labelledby="history-title">
      <div className="page-head">
        <h1 id="history-title">History</h1>
        <button type="button" className="button" onClick={exportCsv} disabled={exporting}>
          {exporting ? 'Exporting…' : 'Export CSV'}
        </button>
      </div>
      {first.data?.retention ? (
        <p className="muted" data-testid="retention">
          Deliveries are kept for {first.data.retention.days} days: the oldest shown are from{' '}
          <Time iso={first.data.retention.since} relative={false} />.
        </p>
      ) : null}
      <form className="filters" onSubmit={apply} aria-label="Filters">
        <label>
          From
          <input
            aria-label="From"
            type="datetime-local"
            value={draft.from ? isoToLocalInput(draft.from) : ''}
            onChange={(e) =>
              setDraft((c) => ({ ...c, from: localInputToIso(e.target.value) ?? '' }))
            }
          />
        </label>
        <label>
          To
          <input
            aria-label="To"
            type="datetime-local"
            value={draft.to ? isoToLocalInput(draft.to) : ''}
            onChange={(e) => setDraft((c) => ({ ...c, to: localInputToIso(e.target.value) ?? '' }))}
          />
        </label>
        <label>
          Event type
          <select aria-label="Event type" value={draft.eventType} onChange={set('eventType')}>
            <option value="">all</option>
            {(catalog.data ?? []).map((t) => (
              <option key={t.type} value={t.type}>
                {t.type}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select aria-label="Status" value={draft.status} onChange={set('status')}>
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Webhook
          <select aria-label="Webhook" value={draft.webhookId} onChange={set('webhookId')}>
            <option value="">all</option>
            {(webhooks.data?.items ?? []).map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
            {draft.webhookId && !names.has(draft.webhookId) ? (
              <option value={draft.webhookId}>{draft.webhookId}</option>
            ) : null}
          </select>
        </label>
        <div className="filter-actions">
          <button type="submit" className="button primary">
            Apply
          </button>
          <a className="button ghost" href={href(['history'])}>
            Clear
          </a>
        </div>
      </form>
      <ErrorBox error={exportError} />
      <ErrorBox error={first.error} onRetry={first.reload} />
      {first.loading && !first.data ? (
        <Skeleton rows={6} label="Loading deliveries" />
      ) : first.data && items.length === 0 ? (
        <Empty title="No deliveries match">
          Deliveries appear here once an event matches a webhook. Try other filters, or send a test
          from a webhook’s page.
        </Empty>
      ) : first.data ? (
        <DataTable
          columns={columns}
          rows={items}
          rowKey={(d) => d.id}
          rowData={(d) => ({ 'data-delivery-id': d.id })}
        />
      ) : null}
      <ErrorBox error={more.error} />
      {nextCursor ? (
        <div className="actions">
          <button type="button" className="button" onClick={loadMore} disabled={more.loading}>
            {more.loading ? 'Loading…' : 'Older deliveries'}
          </button>
        </div>
      ) : null}
    </section>
  );
}
