import { useState } from 'react';
import type { DeliveryDetail, Webhook } from '../api/types';
import {
  DeliveryStatusBadge,
  ErrorBox,
  Facts,
  HeaderTable,
  Id,
  Skeleton,
  Time,
} from '../components/ui';
import { prettyJson } from '../format';
import { href } from '../router';
import { useSession } from '../session';
import { useAsync } from '../use-async';

export function DeliveryPage({ id }: { id: string }) {
  const { api, can } = useSession();
  const delivery = useAsync(
    () => api<DeliveryDetail>('GET', `/v1/deliveries/${encodeURIComponent(id)}`),
    [api, id],
  );
  const webhook = useAsync(
    () =>
      delivery.data
        ? api<Webhook>('GET', `/v1/webhooks/${encodeURIComponent(delivery.data.webhookId)}`).catch(
            () => undefined,
          )
        : Promise.resolve(undefined),
    [api, delivery.data?.webhookId],
  );
  const [retrying, setRetrying] = useState(false);
  const [retryError, setRetryError] = useState<unknown>(null);
  const [retried, setRetried] = useState<number | null>(null);

  if (delivery.error && !delivery.data)
    return <ErrorBox error={delivery.error} onRetry={delivery.reload} />;
  if (!delivery.data) return <Skeleton rows={8} label="Loading delivery" />;
  const d = delivery.data;

  async function retry() {
    setRetrying(true);
    setRetryError(null);
    try {
      const result = await api<{ attempt: number }>(
        'POST',
        `/v1/deliveries/${encodeURIComponent(d.id)}/retry`,
      );
      setRetried(result.attempt);
      setTimeout(delivery.reload, 1500);
    } catch (error) {
      setRetryError(error);
    } finally {
      setRetrying(false);
    }
  }

  return (
    <section aria-labelledby="delivery-title">
      <div className="page-head">
        <div>
          <h1 id="delivery-title">
            Delivery of <code>{d.eventType}</code>
          </h1>
          <Id value={d.id} />
        </div>
        <div className="head-actions">
          <DeliveryStatusBadge status={d.status} />
          <button type="button" className="button ghost" onClick={delivery.reload}>
            Refresh
          </button>
          {can('webhooks:write') && d.status === 'failed' ? (
            <button type="button" className="button primary" onClick={retry} disabled={retrying}>
              {retrying ? 'Retrying…' : 'Retry'}
            </button>
          ) : null}
        </div>
      </div>
      <ErrorBox error={retryError} />
      {retried !== null ? (
        <div className="notice ok" role="status">
          Attempt {retried} queued: it is sent now.
        </div>
      ) : null}
      <div className="card">
        <Facts
          items={[
            [
              'Webhook',
              <a href={href(['webhooks', d.webhookId])}>{webhook.data?.name ?? d.webhookId}</a>,
            ],
            ['Event id', <Id value={d.eventId} />],
            ['Created', <Time iso={d.createdAt} />],
            ['Updated', <Time iso={d.updatedAt} />],
            ['Attempts', String(d.attemptCount)],
            ['Next attempt', d.nextAttemptAt ? <Time iso={d.nextAttemptAt} /> : 'none'],
            ['Last error', d.lastError ?? 'none'],
          ]}
        />
      </div>
      <h2>Attempts</h2>
      {d.attempts.length === 0 ? (
        <p className="muted">
          No call made
          {d.status === 'skipped' ? ': the webhook was paused when the event came.' : ' yet.'}
        </p>
      ) : (
        <ol className="attempts">
          {d.attempts.map((a) => (
            <li key={`${a.attempt}-${a.at}`} className="card attempt" data-attempt={a.attempt}>
              <div className="attempt-head">
                <strong>Attempt {a.attempt}</strong>
                <span className="badge info">{a.trigger}</span>
                <span className={`badge ${a.error ? 'bad' : 'ok'}`}>
                  {a.statusCode === null ? 'no answer' : `HTTP ${a.statusCode}`}
                </span>
                <span className="muted">
                  {a.durationMs === null ? '' : `${Math.round(a.durationMs)} ms · `}
                  <Time iso={a.at} />
                </span>
              </div>
              {a.error ? <div className="notice error">{a.error}</div> : null}
              <details>
                <summary>
                  Request {a.url ? <span className="muted break">POST {a.url}</span> : null}
                </summary>
                <h4>Headers (secrets masked)</h4>
                <HeaderTable headers={a.requestHeaders} />
                <h4>Body</h4>
                <pre className="code-block">{prettyJson(a.requestBody)}</pre>
              </details>
              <details>
                <summary>Response</summary>
                <h4>Headers</h4>
                <HeaderTable headers={a.responseHeaders} />
                <h4>Body{a.responseTruncated ? ' (cut at 8 KB)' : ''}</h4>
                <pre className="code-block">{a.responseBody ?? ''}</pre>
              </details>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
