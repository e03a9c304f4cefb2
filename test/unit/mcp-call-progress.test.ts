import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callContext, withProgress, type RequestExtra } from '../../main/mcp/call-context.ts';

type Sent = Parameters<RequestExtra['sendNotification']>[0]['params'];

/** A call context over the SDK's `extra`, recording the progress notifications it sends. */
function watchedCall() {
  const sent: Sent[] = [];
  const call = callContext({
    signal: new AbortController().signal,
    _meta: { progressToken: 'token-1' },
    sendNotification: async (notification) => {
      sent.push(notification.params);
    },
  });
  return { call, sent };
}

describe('withProgress', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports every tick with the latest description, in growing order', async () => {
    const { call, sent } = watchedCall();
    let finish!: (value: string) => void;
    const work = withProgress(call, 100, (seconds) => `${seconds} s`, new Promise<string>((resolve) => (finish = resolve)));
    await vi.advanceTimersByTimeAsync(350);
    finish('done');
    await expect(work).resolves.toBe('done');
    expect(sent.map((p) => p.progress)).toEqual([1, 2, 3]);
    expect(sent.every((p) => p.progressToken === 'token-1' && p.message !== undefined)).toBe(true);
    // Nothing after the work settled.
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toHaveLength(3);
  });

  it('keeps notifying while a description is slow, so a client timeout that resets on progress does not fire', async () => {
    const { call, sent } = watchedCall();
    let finish!: () => void;
    // The first description never answers (a sandbox too busy to say what its command printed).
    const describe = vi.fn((): Promise<string> => new Promise(() => {}));
    const work = withProgress(call, 100, describe, new Promise<void>((resolve) => (finish = resolve)));
    await vi.advanceTimersByTimeAsync(550);
    finish();
    await work;
    expect(describe).toHaveBeenCalledTimes(1);
    // One tick is waiting on the description; the four others went out without a message.
    expect(sent.map((p) => p.progress)).toEqual([1, 2, 3, 4]);
    expect(sent.every((p) => p.message === undefined)).toBe(true);
  });

  it('sends nothing when the client asked for no progress', async () => {
    const sent: Sent[] = [];
    const call = callContext({
      signal: new AbortController().signal,
      sendNotification: async (notification) => {
        sent.push(notification.params);
      },
    });
    const work = withProgress(call, 100, () => 'x', new Promise<void>((resolve) => setTimeout(resolve, 1_000)));
    await vi.advanceTimersByTimeAsync(1_000);
    await work;
    expect(sent).toEqual([]);
  });
});
