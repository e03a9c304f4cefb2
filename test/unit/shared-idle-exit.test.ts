import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../main/mcp/log.ts';
import { createIdleExit } from '../../main/mcp/shared-lifetime.ts';

describe("a shared server's idle exit", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const log = createLogger({ name: 'mcp shared', write: () => {} });

  it('fires a grace period after the last session, not while sessions are open', () => {
    const onIdle = vi.fn();
    const idle = createIdleExit({ graceMs: 1000, log, onIdle });
    idle.sessions(1);
    vi.advanceTimersByTime(5000);
    expect(onIdle).not.toHaveBeenCalled();
    idle.sessions(0);
    vi.advanceTimersByTime(999);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('waits while a request is being answered (a first initialize, before its session counts), then fires', () => {
    const onIdle = vi.fn();
    let busy = true;
    createIdleExit({ graceMs: 0, log, onIdle, busy: () => busy });
    vi.advanceTimersByTime(10_000);
    expect(onIdle).not.toHaveBeenCalled();
    busy = false;
    vi.advanceTimersByTime(1000);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });
});
