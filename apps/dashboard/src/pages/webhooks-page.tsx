import { query } from '../api/client';
import type { DeliveryActivity, Page, Webhook } from '../api/types';
import { DeliveryChart } from '../components/chart';
import {
  type Column,
  DataTable,
  Empty,
  ErrorBox,
  Skeleton,
  Time,
  WebhookStatusBadge,
} from '../components/ui';
import { hourlyBuckets, percent } from '../format';
import { href } from '../router';
import { useSession } from '../session';
import { useAsync } from '../use-async';

function columns(activity: DeliveryActivity | undefined): Array<Column<Webhook>> {
  return [
    {
      label: 'Webhook',
      className: 'name-cell',
      cell: (webhook) => (
        <>
          <a className="strong" href={href(['webhooks', webhook.id])}>
            {webhook.name}
          </a>
          <div className="muted small truncate" title={webhook.url}>
            {webhook.type} · {webhook.url}
          </div>
        </>
      ),
    },
    {
      label: 'Status',
      cell: (webhook) => (
        <>
          <WebhookStatusBadge webhook={webhook} />
          {webhook.pausedReason === 'auto' ? (
            <div className="muted small">after 10 failed calls in a row</div>
          ) : null}
        </>
      ),
    },
    {
      label: 'Events',
      cell: (webhook) => (
        <ul className="chips">
          {webhook.events.map((type) => (
            <li key={type} className="chip">
              {type}
            </li>
          ))}
        </ul>
      ),
    },
    {
      label: 'Total deliveries',
      heading: 'Total',
      className: 'num',
      cell: (webhook) => webhook.stats?.totalDeliveries ?? 0,
    },
    {
      label: 'Successful',
      heading: 'OK',
      className: 'num',
      cell: (webhook) => webhook.stats?.successfulDeliveries ?? 0,
    },
    {
      label: 'Failed',
      className: 'num',
      cell: (webhook) => webhook.stats?.failedDeliveries ?? 0,
    },
    {
      label: 'Success rate',
      heading: 'Rate',
      className: 'num',
      cell: (webhook) => percent(webhook.stats?.successRate ?? null),
    },
    {
      label: 'Consecutive failures',
      heading: 'Streak',
      className: 'num',
      cell: (webhook) => webhook.stats?.consecutiveFailures ?? 0,
    },
    {
      label: 'Last triggered',
      heading: 'Last call',
      className: 'nowrap',
      cell: (webhook) => <Time iso={webhook.stats?.lastTriggeredAt ?? null} compact />,
    },
    {
      label: 'Last 24 h',
      className: 'chart-cell',
      cell: (webhook) =>
        activity ? (
          <DeliveryChart
            buckets={hourlyBuckets(
              activity.items.filter((b) => b.webhookId === webhook.id),
              activity.from,
              activity.to,
            )}
            label={webhook.name}
          />
        ) : (
          <span className="chart-placeholder" aria-hidden="true" />
        ),
    },
  ];
}

export function WebhooksPage() {
  const { api, can } = useSession();
  const webhooks = useAsync(
    () => api<Page<Webhook>>('GET', `/v1/webhooks${query({ includeStats: true, limit: 100 })}`),
    [api],
  );
  const activity = useAsync(
    () => api<DeliveryActivity>('GET', `/v1/deliveries/activity${query({ hours: 24 })}`),
    [api],
  );

  return (
    <section aria-labelledby="webhooks-title">
      <div className="page-head">
        <h1 id="webhooks-title">Webhooks</h1>
        {can('webhooks:write') ? (
          <a className="button primary" href={href(['webhooks', 'new'])}>
            Create webhook
          </a>
        ) : null}
      </div>
      <ErrorBox error={webhooks.error} onRetry={webhooks.reload} />
      {webhooks.loading && !webhooks.data ? (
        <Skeleton rows={4} label="Loading webhooks" />
      ) : webhooks.data && webhooks.data.items.length === 0 ? (
        <Empty title="No webhooks yet">
          {can('webhooks:write')
            ? 'Create one to send events to Slack, Zapier or your own endpoint.'
            : 'An admin or integrations key can create them.'}
        </Empty>
      ) : webhooks.data ? (
        <DataTable
          className="webhooks"
          columns={columns(activity.data)}
          rows={webhooks.data.items}
          rowKey={(webhook) => webhook.id}
          rowData={(webhook) => ({ 'data-webhook-id': webhook.id })}
        />
      ) : null}
      {webhooks.data?.nextCursor ? (
        <p className="muted">The first 100 webhooks are shown.</p>
      ) : null}
    </section>
  );
}
