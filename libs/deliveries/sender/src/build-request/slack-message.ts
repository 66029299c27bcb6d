import type { EventEnvelope } from '@hookline/contracts';

/** The body sent to a Slack incoming webhook: fallback `text` plus Block Kit `blocks`. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

export type SlackBlock =
  | { readonly type: 'section'; readonly text: SlackText }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] };

interface SlackText {
  readonly type: 'mrkdwn';
  readonly text: string;
}

/** Longest user-supplied value kept in a message, in code points (Slack caps a section at 3000). */
export const SLACK_MAX_VALUE_LENGTH = 200;

/**
 * Escapes text for Slack mrkdwn: `&`, `<` and `>` become `&amp;`, `&lt;`, `&gt;` (Slack's rule),
 * so a value can neither open a link nor mention `<!channel>`.
 */
export function escapeSlackText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The Slack message summarising one event, for a `slack` webhook without a custom body. Every
 * value from the event is truncated and mrkdwn-escaped; the JSON escaping is left to
 * `JSON.stringify` of the returned object.
 */
export function buildSlackMessage(envelope: EventEnvelope): SlackMessage {
  const summary = summarise(envelope);
  return {
    text: summary,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: summary } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `${value(envelope.event_type)} · ${value(envelope.timestamp)} · event ${value(envelope.event_id)}`,
          },
        ],
      },
    ],
  };
}

function summarise(envelope: EventEnvelope): string {
  switch (envelope.event_type) {
    case 'scan.completed': {
      const d = envelope.data;
      const found = d.issues_found === 1 ? '1 issue' : `${count(d.issues_found)} issues`;
      return `Scan completed for ${bold(d.project?.name)}${onBranch(d.branch)}: ${found} found`;
    }
    case 'scan.started': {
      const d = envelope.data;
      return `Scan started for ${bold(d.project?.name)}${onBranch(d.branch)} (${value(d.scan_type)}, ${value(d.engine)})`;
    }
    case 'scan.failed': {
      const d = envelope.data;
      return `Scan failed for ${bold(d.project?.name)}${onBranch(d.branch)}: ${value(d.error)}`;
    }
    case 'issue.status_changed': {
      const d = envelope.data;
      return (
        `Issue ${link(d.url, d.classification)} (${value(d.urgency)}) in ${bold(d.project?.name)}` +
        ` changed from ${value(d.previous_status)} to ${value(d.status)}${location(d.file_path, d.line_num)}`
      );
    }
    case 'issue.assigned': {
      const d = envelope.data;
      const previously =
        d.previously_assigned_to === null || d.previously_assigned_to === undefined
          ? ''
          : ` (was ${value(d.previously_assigned_to.name)})`;
      return (
        `Issue ${link(d.url, d.classification)} (${value(d.urgency)}) in ${bold(d.project?.name)}` +
        ` assigned to ${value(d.assigned_to?.name)}${previously}`
      );
    }
    case 'user.login': {
      const d = envelope.data;
      return `User ${bold(d.username)} (${value(d.email)}) logged in`;
    }
    case 'user.login_failed': {
      const d = envelope.data;
      return `Failed login attempt for ${bold(d.username)}`;
    }
    default: {
      // A type added to the catalog later still gets a message.
      const unknownType: string = (envelope as { event_type: string }).event_type;
      return `Event ${value(unknownType)}`;
    }
  }
}

/** A value from the event: missing as `unknown`, long ones cut, mrkdwn-escaped. */
function value(raw: unknown): string {
  if (raw === null || raw === undefined) return 'unknown';
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  // Cut by code points, so a cut never splits a surrogate pair.
  const codePoints = Array.from(text);
  const cut =
    codePoints.length > SLACK_MAX_VALUE_LENGTH
      ? `${codePoints.slice(0, SLACK_MAX_VALUE_LENGTH - 1).join('')}…`
      : text;
  return escapeSlackText(cut);
}

function bold(raw: unknown): string {
  return `*${value(raw)}*`;
}

function count(raw: unknown): string {
  return typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : value(raw);
}

function onBranch(branch: string | null | undefined): string {
  return branch === null || branch === undefined ? '' : ` on ${value(branch)}`;
}

function location(filePath: string | null | undefined, line: number | null | undefined): string {
  if (filePath === null || filePath === undefined) return '';
  return typeof line === 'number'
    ? ` at ${value(`${filePath}:${line}`)}`
    : ` at ${value(filePath)}`;
}

/** `<url|label>` for an http(s) URL; otherwise the label alone (never a link Slack would misread). */
function link(url: unknown, label: unknown): string {
  const text = value(label);
  if (typeof url !== 'string') return text;
  let href: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return text;
    href = parsed.href;
  } catch {
    return text;
  }
  // `|` would end the URL part of the link; the URL keeps its meaning percent-encoded.
  return `<${escapeSlackText(href.replace(/\|/g, '%7C'))}|${text}>`;
}
