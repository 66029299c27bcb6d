import { useState } from 'react';
import type {
  DeliveryActivity,
  EventType,
  RecoveryQueued,
  TestResult,
  Webhook,
  WebhookStats,
  WebhookWithSecret,
} from '../api/types';
import { DeliveryChart } from '../components/chart';
import {
  ActionPanel,
  CopyButton,
  ErrorBox,
  Facts,
  Id,
  Skeleton,
  Time,
  WebhookStatusBadge,
  errorText,
} from '../components/ui';
import { hourlyBuckets, isoToLocalInput, localInputToIso, localTime, percent } from '../format';
import { href, navigate } from '../router';
import { useSession } from '../session';
import { useAsync } from '../use-async';

export function WebhookDetailPage({ id }: { id: string }) {
  const { api, can } = useSession();
  const path = `/v1/webhooks/${encodeURIComponent(id)}`;
  const webhook = useAsync(() => api<Webhook>('GET', path), [api, path]);
  const stats = useAsync(() => api<WebhookStats>('GET', `${path}/stats`), [api, path]);
  const activity = useAsync(
    () =>
      api<DeliveryActivity>(
        'GET',
        `/v1/deliveries/activity?hours=24&webhookId=${encodeURIComponent(id)}`,
      ),
    [api, id],
  );
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [replayMissed, setReplayMissed] = useState(true);
  const [since, setSince] = useState(() =>
    isoToLocalInput(new Date(Date.now() - 3_600_000).toISOString()),
  );
  const [testType, setTestType] = useState<EventType | ''>('');
  const [testResult, setTestResult] = useState<TestResult | null>(null);
  const [secret, setSecret] = useState<string | null>(null);

  /** Runs an action; then reloads what it may have changed (nothing after a delete: it left). */
  async function act(name: string, run: () => Promise<string | void>, reload = true) {
    setBusy(name);
    setActionError(null);
    setMessage(null);
    try {
      const done = await run();
      if (done) setMessage(done);
      if (!reload) return;
      webhook.reload();
      stats.reload();
      activity.reload();
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(null);
    }
  }

  if (webhook.error && !webhook.data)
    return <ErrorBox error={webhook.error} onRetry={webhook.reload} />;
  if (!webhook.data) return <Skeleton rows={8} label="Loading webhook" />;
  const w = webhook.data;
  const write = can('webhooks:write');
  const s = stats.data;

  return (
    <section aria-labelledby="webhook-title">
      <div className="page-head">
        <div>
          <h1 id="webhook-title">{w.name}</h1>
          <Id value={w.id} />
        </div>
        <div className="head-actions">
          <WebhookStatusBadge webhook={w} />
          <a className="button" href={href(['history'], { webhookId: w.id })}>
            History
          </a>
          {write ? (
            <a className="button" href={href(['webhooks', w.id, 'edit'])}>
              Edit
            </a>
          ) : null}
        </div>
      </div>
      {w.status === 'paused' ? (
        <div className={`notice ${w.pausedReason === 'auto' ? 'error' : 'warn'}`}>
          {w.pausedReason === 'auto'
            ? 'Paused automatically after 10 failed calls in a row. Fix the endpoint (use Test webhook to check it), then re-activate.'
            : 'Paused by hand. Events that arrive meanwhile are recorded as skipped.'}{' '}
          {w.pausedAt ? (
            <>
              Since <Time iso={w.pausedAt} />.
            </>
          ) : null}
        </div>
      ) : null}
      {message ? (
        <div className="notice ok" role="status">
          {message}
        </div>
      ) : null}
      <ErrorBox error={actionError} />

      <div className="columns">
        <div className="card">
          <h2>Configuration</h2>
          <Facts
            items={[
              ['URL', <span className="break">{w.url}</span>],
              ['Type', w.type],
              ['Events', w.events.join(', ')],
              ['Projects', w.projectIds.length ? w.projectIds.join(', ') : 'every project'],
              ['Status filter', w.statusFilter.length ? w.statusFilter.join(', ') : 'every status'],
              [
                'Custom headers',
                Object.keys(w.headers).length
                  ? Object.keys(w.headers)
                      .map((n) => `${n}: ********`)
                      .join(', ')
                  : 'none',
              ],
              ['Signing secret', w.hasSecret ? 'set' : 'none'],
              [
                'Custom body',
                w.bodyTemplate ? (
                  <pre className="code-block">{w.bodyTemplate}</pre>
                ) : (
                  'default payload'
                ),
              ],
              ['Created', <Time iso={w.createdAt} />],
              ['Updated', <Time iso={w.updatedAt} />],
            ]}
          />
        </div>
        <div className="card">
          <h2>Statistics</h2>
          {s ? (
            <div className="stats">
              <Stat label="Total deliveries" value={String(s.totalDeliveries)} />
              <Stat label="Successful" value={String(s.successfulDeliveries)} />
              <Stat label="Failed" value={String(s.failedDeliveries)} />
              <Stat label="Success rate" value={percent(s.successRate)} />
              <Stat label="Consecutive failures" value={String(s.consecutiveFailures)} />
              <Stat
                label="Last triggered"
                value={<Time iso={s.lastTriggeredAt} relative={false} />}
              />
            </div>
          ) : (
            <Skeleton rows={2} label="Loading statistics" />
          )}
          <h3 className="chart-title">Deliveries per hour, last 24 hours</h3>
          {activity.data ? (
            <div className="chart-large">
              <DeliveryChart
                buckets={hourlyBuckets(activity.data.items, activity.data.from, activity.data.to)}
                label={w.name}
                width={480}
                height={64}
              />
              <div className="legend small muted">
                <span className="key ok" /> delivered <span className="key bad" /> failed{' '}
                <span className="key other" /> pending or skipped
              </div>
            </div>
          ) : (
            <span className="chart-placeholder large" aria-hidden="true" />
          )}
        </div>
      </div>

      {write ? (
        <div className="card">
          <h2>Actions</h2>
          <div className="action-grid">
            {w.status === 'active' ? (
              <ActionPanel
                title="Pause"
                hint="No call starts while paused; events are recorded as skipped."
              >
                <button
                  type="button"
                  className="button"
                  disabled={busy !== null}
                  onClick={() =>
                    act('pause', async () => {
                      await api('POST', `${path}/pause`);
                      return 'Paused.';
                    })
                  }
                >
                  Pause webhook
                </button>
              </ActionPanel>
            ) : (
              <ActionPanel title="Re-activate">
                <label className="option">
                  <input
                    type="checkbox"
                    checked={replayMissed}
                    onChange={(e) => setReplayMissed(e.target.checked)}
                  />
                  Send what was missed while paused, oldest first
                </label>
                <button
                  type="button"
                  className="button primary"
                  disabled={busy !== null}
                  onClick={() =>
                    act('activate', async () => {
                      const result = await api<{ replayed: number }>('POST', `${path}/activate`, {
                        replayMissed,
                      });
                      return replayMissed
                        ? `Active again; ${result.replayed} missed ${result.replayed === 1 ? 'delivery' : 'deliveries'} queued.`
                        : 'Active again.';
                    })
                  }
                >
                  Re-activate
                </button>
              </ActionPanel>
            )}
            <ActionPanel
              title="Test webhook"
              hint="Sends a sample event now, once, even while paused."
            >
              <div className="inline-form">
                <select
                  aria-label="Sample event type"
                  value={testType}
                  onChange={(e) => setTestType(e.target.value as EventType | '')}
                >
                  <option value="">first subscribed type</option>
                  {w.events.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
                <button
                  type="button"
                  className="button"
                  disabled={busy !== null}
                  onClick={() =>
                    act('test', async () => {
                      setTestResult(null);
                      setTestResult(
                        await api<TestResult>(
                          'POST',
                          `${path}/test`,
                          testType ? { eventType: testType } : {},
                        ),
                      );
                    })
                  }
                >
                  {busy === 'test' ? 'Sending…' : 'Send test'}
                </button>
              </div>
              {testResult ? (
                <div
                  className={`notice ${testResult.success ? 'ok' : 'error'}`}
                  data-testid="test-result"
                >
                  <span>
                    <strong>{testResult.success ? 'Delivered' : 'Failed'}</strong>
                    {' · '}
                    {testResult.statusCode === null ? 'no answer' : `HTTP ${testResult.statusCode}`}
                    {testResult.durationMs !== null
                      ? ` · ${Math.round(testResult.durationMs)} ms`
                      : ''}
                  </span>
                  {testResult.error ? <div>{testResult.error}</div> : null}
                  {testResult.responseSnippet ? (
                    <pre className="code-block">{testResult.responseSnippet}</pre>
                  ) : null}
                  <a href={href(['history', testResult.deliveryId])}>See the delivery</a>
                </div>
              ) : null}
            </ActionPanel>
            <ActionPanel
              title="Recover"
              hint={
                w.status === 'paused'
                  ? 'Re-activate first: while paused, what is sent again is only skipped.'
                  : 'Send again the failed and skipped deliveries since:'
              }
            >
              <div className="inline-form">
                <input
                  type="datetime-local"
                  aria-label="Recover since"
                  value={since}
                  onChange={(e) => setSince(e.target.value)}
                />
                <button
                  type="button"
                  className="button"
                  disabled={busy !== null || w.status === 'paused'}
                  onClick={() =>
                    act('recover', async () => {
                      const result = await api<RecoveryQueued>('POST', `${path}/recover`, {
                        since: localInputToIso(since),
                      });
                      const queued = `${result.queued} ${result.queued === 1 ? 'delivery' : 'deliveries'} queued again.`;
                      if (result.complete || !result.resumeFrom) return queued;
                      // One call queues at most the API's limit: the form goes on from there.
                      setSince(isoToLocalInput(result.resumeFrom));
                      return `${queued} More remain: Recover again to go on from ${localTime(result.resumeFrom)}.`;
                    })
                  }
                >
                  Recover
                </button>
              </div>
            </ActionPanel>
            {can('secrets:reveal') ? (
              <ActionPanel
                title="Signing secret"
                hint={
                  w.hasSecret
                    ? 'A new secret; the old one keeps signing beside it for 24 hours.'
                    : 'No secret yet: calls go out unsigned. Generate one to sign them.'
                }
              >
                <button
                  type="button"
                  className="button"
                  disabled={busy !== null}
                  onClick={() =>
                    act('rotate', async () => {
                      const result = await api<WebhookWithSecret>(
                        'POST',
                        `${path}/rotate-secret`,
                        {},
                      );
                      setSecret(result.secret ?? null);
                    })
                  }
                >
                  {w.hasSecret ? 'Rotate secret' : 'Generate secret'}
                </button>
                {secret ? (
                  <div className="secret">
                    <code data-testid="secret">{secret}</code>
                    <CopyButton value={secret} label="Copy secret" />
                    <div className="hint">Shown once: copy it to your receiver now.</div>
                  </div>
                ) : null}
              </ActionPanel>
            ) : null}
            <ActionPanel title="Delete" hint="Its delivery history stays." danger>
              <button
                type="button"
                className="button danger"
                disabled={busy !== null}
                onClick={() => {
                  if (!window.confirm(`Delete the webhook “${w.name}”? This cannot be undone.`))
                    return;
                  void act(
                    'delete',
                    async () => {
                      await api('DELETE', path);
                      navigate(href(['webhooks']));
                    },
                    false,
                  );
                }}
              >
                Delete webhook
              </button>
            </ActionPanel>
          </div>
        </div>
      ) : null}
      {stats.error ? <p className="muted">Statistics: {errorText(stats.error)}</p> : null}
    </section>
  );
}

function Stat({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div className="stat">
      <div className="stat-value">{value}</div>
      <div className="stat-label">{label}</div>
    </div>
  );
}
