// The TypeScript types are written by hand (readable, documented per field); this file keeps them
// in step with the JSON Schemas. `FromSchema` reads a schema's literal type (the schemas are
// declared `as const`) and builds the type it accepts; each `Expect<Same<...>>` below fails
// `tsc` (the typecheck target) when a field is added, removed, made optional or nullable, or
// changes type on one side only.
import type { IssueAssignedData } from './catalog/issue-assigned.event';
import { ISSUE_ASSIGNED_DATA_SCHEMA } from './catalog/issue-assigned.event';
import type { IssueStatusChangedData } from './catalog/issue-status-changed.event';
import { ISSUE_STATUS_CHANGED_DATA_SCHEMA } from './catalog/issue-status-changed.event';
import type { ScanCompletedData } from './catalog/scan-completed.event';
import { SCAN_COMPLETED_DATA_SCHEMA } from './catalog/scan-completed.event';
import type { ScanFailedData } from './catalog/scan-failed.event';
import { SCAN_FAILED_DATA_SCHEMA } from './catalog/scan-failed.event';
import type { ScanStartedData } from './catalog/scan-started.event';
import { SCAN_STARTED_DATA_SCHEMA } from './catalog/scan-started.event';
import type { UserLoginFailedData } from './catalog/user-login-failed.event';
import { USER_LOGIN_FAILED_DATA_SCHEMA } from './catalog/user-login-failed.event';
import type { UserLoginData } from './catalog/user-login.event';
import { USER_LOGIN_DATA_SCHEMA } from './catalog/user-login.event';
import type { EventEnvelope } from './envelope/event-envelope';
import { ENVELOPE_SCHEMA } from './envelope/event-envelope';
import type { DeliveryLogEvent } from './messaging/delivery-log-event.message';
import { DELIVERY_LOG_EVENT_SCHEMA } from './messaging/delivery-log-event.message';
import type { DeliveryRequested } from './messaging/delivery-requested.message';
import { DELIVERY_REQUESTED_SCHEMA } from './messaging/delivery-requested.message';
import type { EventDeadLettered } from './messaging/event-dead-lettered.message';
import { EVENT_DEAD_LETTERED_SCHEMA } from './messaging/event-dead-lettered.message';
import type { WebhookConfigRecord } from './messaging/webhook-config-record.message';
import { WEBHOOK_CONFIG_RECORD_SCHEMA } from './messaging/webhook-config-record.message';

type FromSchema<S> = S extends { const: infer C }
  ? C
  : S extends { enum: readonly (infer E)[] }
    ? E
    : S extends { type: infer T }
      ? FromTypeNames<T extends readonly (infer U)[] ? U : T, S>
      : unknown;

type FromTypeNames<T, S> = T extends 'string'
  ? string
  : T extends 'number' | 'integer'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? S extends { items: infer I }
            ? FromSchema<I>[]
            : unknown[]
          : T extends 'object'
            ? FromObject<S>
            : never;

type RequiredKeys<S> = S extends { required: readonly (infer R)[] } ? R : never;

type FromObject<S> = S extends { properties: infer P }
  ? {
      -readonly [K in keyof P as K extends RequiredKeys<S> ? K : never]: FromSchema<P[K]>;
    } & {
      -readonly [K in keyof P as K extends RequiredKeys<S> ? never : K]?: FromSchema<P[K]>;
    }
  : S extends { additionalProperties: infer A extends object }
    ? Record<string, FromSchema<A>>
    : Record<string, unknown>;

/** Normalises both sides: flattens intersections, drops `readonly`. */
type Normal<T> = T extends readonly (infer E)[]
  ? Normal<E>[]
  : T extends object
    ? { -readonly [K in keyof T]: Normal<T[K]> }
    : T;

type Same<A, B> =
  (<G>() => G extends Normal<A> ? 1 : 2) extends <G>() => G extends Normal<B> ? 1 : 2
    ? true
    : false;

type Expect<T extends true> = T;

export type TypeChecks = [
  Expect<Same<FromSchema<typeof ISSUE_STATUS_CHANGED_DATA_SCHEMA>, IssueStatusChangedData>>,
  Expect<Same<FromSchema<typeof ISSUE_ASSIGNED_DATA_SCHEMA>, IssueAssignedData>>,
  Expect<Same<FromSchema<typeof SCAN_STARTED_DATA_SCHEMA>, ScanStartedData>>,
  Expect<Same<FromSchema<typeof SCAN_COMPLETED_DATA_SCHEMA>, ScanCompletedData>>,
  Expect<Same<FromSchema<typeof SCAN_FAILED_DATA_SCHEMA>, ScanFailedData>>,
  Expect<Same<FromSchema<typeof USER_LOGIN_DATA_SCHEMA>, UserLoginData>>,
  Expect<Same<FromSchema<typeof USER_LOGIN_FAILED_DATA_SCHEMA>, UserLoginFailedData>>,
  // The envelope schema leaves `data` to the per-type schemas, checked above.
  Expect<Same<Omit<FromSchema<typeof ENVELOPE_SCHEMA>, 'data'>, Omit<EventEnvelope, 'data'>>>,
  Expect<
    Same<
      Omit<FromSchema<typeof DELIVERY_REQUESTED_SCHEMA>, 'envelope'>,
      Omit<DeliveryRequested, 'envelope'>
    >
  >,
  Expect<Same<FromSchema<typeof WEBHOOK_CONFIG_RECORD_SCHEMA>, WebhookConfigRecord>>,
  Expect<Same<FromSchema<typeof DELIVERY_LOG_EVENT_SCHEMA>, DeliveryLogEvent>>,
  Expect<Same<FromSchema<typeof EVENT_DEAD_LETTERED_SCHEMA>, EventDeadLettered>>,
];

// Self-test of the checker: it must tell apart what it is meant to catch.
export type CheckerChecks = [
  Expect<Same<{ a: string }, { a: string }>>,
  Expect<Same<{ a: string } & { b?: number }, { a: string; b?: number }>>,
  Expect<Not<Same<{ a: string }, { a?: string }>>>,
  Expect<Not<Same<{ a: string }, { a: string | null }>>>,
  Expect<Not<Same<{ a: string }, { a: string; b: string }>>>,
  Expect<Not<Same<{ a: 'x' | 'y' }, { a: 'x' }>>>,
  Expect<Not<Same<{ a: number[] }, { a: string[] }>>>,
  Expect<
    Same<
      FromSchema<{ type: 'object'; additionalProperties: { type: 'string' } }>,
      Record<string, string>
    >
  >,
  Expect<Not<Same<FromSchema<{ type: 'object' }>, Record<string, string>>>>,
];

type Not<T extends boolean> = T extends true ? false : true;

describe('TypeScript types and JSON Schemas', () => {
  it('agree field by field (enforced by the typecheck target; this test only marks the file)', () => {
    const checks: TypeChecks['length'] = 12;
    expect(checks).toBe(12);
  });
});
