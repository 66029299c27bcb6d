import { randomUUID } from 'node:crypto';
import type { EventDataMap } from '../catalog/event-catalog';
import type { EventType } from '../catalog/event-types';
import { systemClock, type Clock } from '../util/clock';
import { ContractValidationError } from '../validation/contract-violation';
import type { EventEnvelope } from './event-envelope';
import { validateEnvelope } from './validate-envelope';

export interface BuildEnvelopeOptions {
  /** The event's id; a fresh random UUID when omitted. */
  readonly eventId?: string;
  /** Stamps `timestamp`; the system clock when omitted. */
  readonly clock?: Clock;
}

/**
 * Builds the default payload for one event: `{ event_id, event_type, timestamp, data }`.
 * `timestamp` is the clock's time in UTC with milliseconds. `data` is used as given, not copied,
 * and may carry fields beyond the typed ones. The result is validated, so whatever this returns
 * passes `validateEnvelope`.
 *
 * @throws ContractValidationError when `data` or `eventId` break the contract.
 */
export function buildEnvelope<T extends EventType, D extends EventDataMap[T] = EventDataMap[T]>(
  eventType: T,
  // Generic so that an object literal may carry extra fields (no excess-property error).
  data: D,
  opts: BuildEnvelopeOptions = {},
): EventEnvelope<T> {
  const envelope = {
    event_id: opts.eventId ?? randomUUID(),
    event_type: eventType,
    timestamp: (opts.clock ?? systemClock)().toISOString(),
    data,
  };
  const result = validateEnvelope(envelope);
  if (!result.ok) {
    throw new ContractValidationError(`cannot build a ${eventType} envelope`, result.errors);
  }
  return envelope as unknown as EventEnvelope<T>;
}
