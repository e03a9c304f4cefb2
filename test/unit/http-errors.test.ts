import { describe, expect, it } from 'vitest';
import { failureOf, HttpError, NetworkError, retryAfterOf } from '../../main/core/http/http-errors.ts';

describe('failureOf: the one mapping from a failed Daytona call to what the caller does', () => {
  it.each([
    [401, 'unauthorized', false],
    [403, 'forbidden', false],
    [404, 'not-found', false],
    [409, 'conflict', false],
    [400, 'other', false],
    [429, 'rate-limited', true],
    [500, 'server', true],
    [503, 'server', true],
    [504, 'timeout', true],
  ])('HTTP %i is %s (retryable: %s)', (status, kind, retryable) => {
    expect(failureOf(new HttpError(status, `answered ${status}`, 1500))).toEqual({ kind, retryable, status, retryAfterMs: 1500 });
  });

  it('tells a deadline from a refusal, and retries both', () => {
    expect(failureOf(new NetworkError('Could not reach x: no answer within 15 s.', { timedOut: true }))).toMatchObject({
      kind: 'timeout',
      retryable: true,
      status: undefined,
    });
    expect(failureOf(new NetworkError('Could not reach x: ECONNREFUSED.', { reason: 'ECONNREFUSED' }))).toMatchObject({
      kind: 'unreachable',
      retryable: true,
    });
    expect(failureOf(new Error('a parse error'))).toMatchObject({ kind: 'other', retryable: true });
  });
});

describe('retryAfterOf', () => {
  it("takes the longest of Retry-After and Daytona's Retry-After-{throttler}, in seconds or as a date", () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    expect(
      retryAfterOf(
        [
          ['retry-after-authenticated', '2'],
          ['Retry-After', '0.5'],
          ['x-ratelimit-reset', '99'],
        ],
        now,
      ),
    ).toBe(2000);
    expect(retryAfterOf(new Headers({ 'retry-after': 'Tue, 10 Mar 2026 12:00:30 GMT' }), now)).toBe(30_000);
    expect(retryAfterOf([['content-type', 'application/json']], now)).toBeUndefined();
  });
});
