import { query } from '../api/client';
import type { DeliveryActivity, Page, Webhook } from '../api/types';
import { DeliveryChart } from '../components/chart';
import { Empty, ErrorBox, Skeleton, Time, WebhookStatusBadge } from '../components/ui';
import { hourlyBuckets, percent } from '../format';
import { href } from '../router';
import { useSession } from '../session';
import { useAsync } from '../use-async';

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
        <div className="table-wrap">
          <table className="list webhooks">
            <thead>
              <tr>
                <th scope="col">Webhook</th>
                <th scope="col">Status</th>
                <th scope="col">Events</th>
                <th scope="col" className="num" title="Total deliveries">
                  Total
                </th>
                <th scope="col" className="num" title="Successful deliveries">
                  OK
                </th>
                <th scope="col" className="num" title="Failed deliveries">
                  Failed
                </th>
                <th scope="col" className="num" title="Success rate">
                  Rate
                </th>
                <th scope="col" className="num" title="Consecutive failures">
                  Streak
                </th>
                <th scope="col">Last call</th>
                <th scope="col">Last 24 h</th>
              </tr>
            </thead>
            <tbody>
              {webhooks.data.items.map((webhook) => {
                const stats = webhook.stats;

                return (
                  <tr key={webhook.id} data-webhook-id={webhook.id}>
                    <td data-label="Webhook" className="name-cell">
                      <a className="strong" href={href(['webhooks', webhook.id])}>
                        {webhook.name}
                      </a>
                      <div className="muted small truncate" title={webhook.url}>
                        {webhook.type} · {webhook.url}
                      </div>
                    </td>
                    <td data-label="Status">
                      <WebhookStatusBadge webhook={webhook} />
                      {webhook.pausedReason === 'auto' ? (
                        <div className="muted small">after 10 failed calls in a row</div>
                      ) : null}
                    </td>
                    <td data-label="Events">
                      <ul className="chips">
                        {webhook.events.map((type) => (
                          <li key={type} className="chip">
                            {type}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td data-label="Total deliveries" className="num">
                      {stats?.totalDeliveries ?? 0}
                    </td>
                    <td data-label="Successful" className="num">
                      {stats?.successfulDeliveries ?? 0}
                    </td>
                    <td data-label="Failed" className="num">
                      {stats?.failedDeliveries ?? 0}
                    </td>
                    <td data-label="Success rate" className="num">
                      {percent(stats?.successRate ?? null)}
                    </td>
                    <td data-label="Consecutive failures" className="num">
                      {stats?.consecutiveFailures ?? 0}
                    </td>
                    <td data-label="Last triggered" className="nowrap">
                      <Time iso={stats?.lastTriggeredAt ?? null} compact />
                    </td>
                    <td data-label="Last 24 h" className="chart-cell">
                      {activity.data ? (
                        <DeliveryChart
                          buckets={hourlyBuckets(
                            activity.data.items.filter((b) => b.webhookId === webhook.id),
                            activity.data.from,
                            activity.data.to,
                          )}
                          label={webhook.name}
                        />
                      ) : (
                        <span className="chart-placeholder" aria-hidden="true" />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {webhooks.data?.nextCursor ? (
        <p className="muted">The first 100 webhooks are shown.</p>
      ) : null}
    </section>
  );
}
