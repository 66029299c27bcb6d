import { type ReactNode, useEffect, useState } from 'react';
import { ApiError } from '../api/client';
import type { HistoryStatus, Webhook } from '../api/types';
import { exactTime, localTime, relativeTime } from '../format';

/**
 * A time in the user's zone, "3 min ago" beside it, the exact instant on hover and focus.
 * `compact`: only "3 min ago", the local time on hover too (for narrow table columns).
 */
export function Time({
  iso,
  relative = true,
  compact = false,
  focusable = true,
}: {
  iso: string | null;
  relative?: boolean;
  compact?: boolean;
  /** False inside a link, which already takes the focus (one tab stop, not two). */
  focusable?: boolean;
}) {
  if (!iso) return <span className="muted">never</span>;
  const tabIndex = focusable ? 0 : undefined;
  if (compact) {
    return (
      <time dateTime={iso} title={`${localTime(iso)}\n${exactTime(iso)}`} tabIndex={tabIndex}>
        {relativeTime(iso)}
      </time>
    );
  }
  return (
    <time dateTime={iso} title={exactTime(iso)} tabIndex={tabIndex}>
      {localTime(iso)}
      {relative ? <span className="muted"> · {relativeTime(iso)}</span> : null}
    </time>
  );
}

/** Copies `value`; says so for two seconds. */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  useEffect(() => {
    if (copied === null) return;
    const timer = setTimeout(() => setCopied(null), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className="button small ghost copy"
      aria-label={`${label} ${value.length > 40 ? '' : value}`.trim()}
      onClick={() =>
        navigator.clipboard.writeText(value).then(
          () => setCopied('yes'),
          () => setCopied('no'),
        )
      }
    >
      {copied === 'yes' ? 'Copied' : copied === 'no' ? 'Copy failed' : label}
    </button>
  );
}

/** An id in monospace with a copy button. */
export function Id({ value }: { value: string }) {
  return (
    <span className="id">
      <code>{value}</code>
      <CopyButton value={value} />
    </span>
  );
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div className={`notice error${onRetry ? ' with-action' : ''}`} role="alert">
      <span>{errorText(error)}</span>
      {onRetry ? (
        <button type="button" className="button small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** Placeholder rows of the height the loaded content will have, so nothing jumps. */
export function Skeleton({ rows = 3, label = 'Loading' }: { rows?: number; label?: string }) {
  return (
    <div className="skeleton" role="status" aria-live="polite" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton-row" />
      ))}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <strong>{title}</strong>
      {children ? <div>{children}</div> : null}
    </div>
  );
}

export function WebhookStatusBadge({ webhook }: { webhook: Webhook }) {
  if (webhook.status === 'active') return <span className="badge ok">Active</span>;
  if (webhook.pausedReason === 'auto') {
    return (
      <span
        className="badge bad"
        title="Paused automatically after 10 failed calls in a row. Fix the endpoint, then re-activate."
      >
        Paused automatically
      </span>
    );
  }
  return <span className="badge warn">Paused</span>;
}

const STATUS_CLASS: Record<HistoryStatus, string> = {
  delivered: 'ok',
  failed: 'bad',
  pending: 'info',
  skipped: 'warn',
};

export function DeliveryStatusBadge({ status }: { status: HistoryStatus }) {
  return <span className={`badge ${STATUS_CLASS[status]}`}>{status}</span>;
}

export function Field({
  label,
  htmlFor,
  hint,
  errors,
  children,
}: {
  label: string;
  htmlFor?: string;
  hint?: ReactNode;
  errors?: string[] | undefined;
  children: ReactNode;
}) {
  const errorId = htmlFor ? `${htmlFor}-error` : undefined;
  return (
    <div className={`field${errors?.length ? ' invalid' : ''}`}>
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {hint ? <div className="hint">{hint}</div> : null}
      {errors?.length ? (
        <div className="field-error" id={errorId} role="alert" data-field-error={htmlFor}>
          {errors.join(' ')}
        </div>
      ) : null}
    </div>
  );
}

/** A definition list of label/value pairs. */
export function Facts({ items }: { items: Array<[string, ReactNode]> }) {
  return (
    <dl className="facts">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** One action of a page's action panel: a title, what it does, its controls. */
export function ActionPanel({
  title,
  hint,
  danger = false,
  children,
}: {
  title: string;
  hint?: ReactNode;
  danger?: boolean;
  children: ReactNode;
}) {
  return (
    <div className={`action${danger ? ' danger' : ''}`}>
      <h3>{title}</h3>
      {hint ? <p className="muted">{hint}</p> : null}
      {children}
    </div>
  );
}

export interface Column<T> {
  /** What the column holds: its heading, and each cell's label when the table becomes cards. */
  readonly label: string;
  /** A shorter heading at full width ("OK" for "Successful"); `label` is its tooltip. */
  readonly heading?: string;
  readonly className?: string;
  /** A column of buttons: its heading is for screen readers only, its cells have no label. */
  readonly actions?: boolean;
  readonly cell: (row: T) => ReactNode;
}

/** A list as a table at full width and as one card per row on a narrow screen. */
export function DataTable<T>({
  columns,
  rows,
  rowKey,
  rowData,
  className,
}: {
  columns: ReadonlyArray<Column<T>>;
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** `data-*` attributes of a row, e.g. `{ 'data-webhook-id': id }`. */
  rowData?: (row: T) => Record<`data-${string}`, string>;
  className?: string;
}) {
  return (
    <div className="table-wrap">
      <table className={`list${className ? ` ${className}` : ''}`}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th
                key={column.label}
                scope="col"
                className={column.className}
                title={column.heading ? column.label : undefined}
              >
                {column.actions ? (
                  <span className="visually-hidden">{column.label}</span>
                ) : (
                  (column.heading ?? column.label)
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} {...rowData?.(row)}>
              {columns.map((column) => (
                <td
                  key={column.label}
                  className={column.className}
                  data-label={column.actions ? undefined : column.label}
                >
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Header name → value, values as the API gave them (masked where secret). */
export function HeaderTable({ headers }: { headers: Record<string, string> | null }) {
  if (!headers || Object.keys(headers).length === 0) return <span className="muted">none</span>;
  return (
    <table className="headers">
      <tbody>
        {Object.entries(headers).map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>
              <code>{value}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
