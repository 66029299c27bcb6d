import { query } from '../api/client';
import type { DeliverySummary, Page, Webhook } from '../api/types';
import { DeliveryChart } from '../components/chart';
import { Empty, ErrorBox, Skeleton, Time, WebhookStatusBadge } from '../components/ui';
import { hourlyBuckets, percent } from '../format';
import { href } from '../router';
import { useSession } from '../session';
import { useAsync } from '../use-async';

/** How many recent deliveries the charts read (newest first, last 24 hours). */
const CHART_PAGES = 5;

export function WebhooksPage() {
  const { api, can } = useSession();
  const webhooks = useAsync(
    () => api<Page<Webhook>>('GET', `/v1/webhooks${query({ includeStats: true, limit: 100 })}`),
    [api],
  );
  const recent = useAsync(async () => {
    const from = new Date(Date.now() - 24 * 3_600_000).toISOString();
    const items: DeliverySummary[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < CHART_PAGES; page += 1) {
      const result: Page<DeliverySummary> = await api<Page<DeliverySummary>>(
        'GET',
        `/v1/deliveries${query({ from, limit: 200, cursor })}`,
      );
      items.push(...result.items.filter((d) => !d.test));
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    return items;
  }, [api]);
  const now = Date.now();

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
                <th scope="col" className="num">
                  Deliveries
                </th>
                <th scope="col" className="num">
                  Successful
                </th>
                <th scope="col" className="num">
                  Failed
                </th>
                <th scope="col" className="num">
                  Success rate
                </th>
                <th scope="col" className="num">
                  Failure streak
                </th>
                <th scope="col">Last triggered</th>
                <th scope="col">Last 24 h</th>
              </tr>
            </thead>
            <tbody>
              {webhooks.data.items.map((webhook) => {
                const stats = webhook.stats;
                const mine = (recent.data ?? []).filter((d) => d.webhookId === webhook.id);
                return (
                  <tr key={webhook.id} data-webhook-id={webhook.id}>
                    <td data-label="Webhook">
                      <a className="strong" href={href(['webhooks', webhook.id])}>
                        {webhook.name}
                      </a>
                      <div className="muted small truncate" title={webhook.url}>
                        {webhook.type} · {webhook.url}
                      </div>
                    </td>
                    <td data-label="Status">
                      <WebhookStatusBadge webhook={webhook} />
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
                    <td data-label="Deliveries" className="num">
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
                    <td data-label="Failure streak" className="num">
                      {stats?.consecutiveFailures ?? 0}
                    </td>
                    <td data-label="Last triggered">
                      <Time iso={stats?.lastTriggeredAt ?? null} />
                    </td>
                    <td data-label="Last 24 h" className="chart-cell">
                      {recent.data ? (
                        <DeliveryChart buckets={hourlyBuckets(mine, now)} label={webhook.name} />
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
