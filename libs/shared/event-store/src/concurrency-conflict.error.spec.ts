import { QueryFailedError } from 'typeorm';
import {
  ConcurrencyConflictError,
  isStreamPositionViolation,
  translateAppendError,
} from './concurrency-conflict.error';

const CONSTRAINT = 'webhook_events_stream_position_key';
const pgError = (code: string, constraint?: string) =>
  Object.assign(new Error('duplicate key value violates unique constraint'), { code, constraint });

describe('append error translation', () => {
  it('turns the stream-position unique violation into a ConcurrencyConflictError naming stream and version', () => {
    const cause = pgError('23505', CONSTRAINT);
    const error = translateAppendError(cause, 'wh_1', 3, CONSTRAINT);
    expect(error).toBeInstanceOf(ConcurrencyConflictError);
    expect(error).toMatchObject({
      code: 'EVENT_STORE_CONCURRENCY_CONFLICT',
      streamId: 'wh_1',
      expectedVersion: 3,
      cause,
    });
  });

  it('sees the violation through TypeORM’s QueryFailedError', () => {
    const wrapped = new QueryFailedError('INSERT ...', [], pgError('23505', CONSTRAINT));
    expect(isStreamPositionViolation(wrapped, CONSTRAINT)).toBe(true);
    expect(translateAppendError(wrapped, 'wh_1', 0, CONSTRAINT)).toBeInstanceOf(
      ConcurrencyConflictError,
    );
  });

  it('passes every other error through unchanged: another unique constraint, another code, a non-pg error', () => {
    for (const other of [
      pgError('23505', 'webhook_events_pkey'),
      pgError('40001', CONSTRAINT),
      new Error('connection terminated'),
      'a string',
      null,
    ]) {
      expect(translateAppendError(other, 'wh_1', 1, CONSTRAINT)).toBe(other);
    }
  });
});
