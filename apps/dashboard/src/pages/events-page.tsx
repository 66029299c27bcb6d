import type { EventTypeInfo } from '../api/types';
import { CopyButton, ErrorBox, Skeleton } from '../components/ui';
import { useSession } from '../session';
import { useAsync } from '../use-async';

export function EventsPage() {
  const { api } = useSession();
  const catalog = useAsync(() => api<EventTypeInfo[]>('GET', '/v1/event-types'), [api]);
  return (
    <section aria-labelledby="events-title">
      <div className="page-head">
        <h1 id="events-title">Event catalog</h1>
      </div>
      <p className="muted">
        What a webhook can subscribe to. Each delivery’s default payload is the envelope shown in
        the sample: <code>event_id</code>, <code>event_type</code>, <code>timestamp</code> and{' '}
        <code>data</code>, whose JSON Schema is listed.
      </p>
      <ErrorBox error={catalog.error} onRetry={catalog.reload} />
      {!catalog.data ? (
        catalog.error ? null : (
          <Skeleton rows={7} label="Loading event types" />
        )
      ) : (
        catalog.data.map((entry) => {
          const sample = JSON.stringify(entry.sample, null, 2);
          const schema = JSON.stringify(entry.dataSchema, null, 2);
          return (
            <article key={entry.type} className="card event" id={`event-${entry.type}`}>
              <h2>
                <code>{entry.type}</code>
              </h2>
              <p>{entry.description}</p>
              <p className="muted small">
                {entry.category} event
                {entry.hasProject ? ' · project filter applies' : ' · no project'}
                {entry.supportsStatusFilter ? ' · status filter applies' : ''}
              </p>
              <div className="columns">
                <details open>
                  <summary>Sample payload</summary>
                  <CopyButton value={sample} label="Copy sample" />
                  <pre className="code-block">{sample}</pre>
                </details>
                <details>
                  <summary>JSON Schema of data</summary>
                  <CopyButton value={schema} label="Copy schema" />
                  <pre className="code-block">{schema}</pre>
                </details>
              </div>
            </article>
          );
        })
      )}
    </section>
  );
}
