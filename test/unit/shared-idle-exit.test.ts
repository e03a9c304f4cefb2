import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../main/mcp/log.ts';
import { createIdleExit, FIRST_CLIENT_MS } from '../../main/mcp/shared-lifetime.ts';

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
    vi.advanceTimersByTime(FIRST_CLIENT_MS + 10_000);
    expect(onIdle).not.toHaveBeenCalled();
    busy = false;
    vi.advanceTimersByTime(1000);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('with a grace period of 0, waits for the first client (the bridge that started it) before ending, then not after it left', () => {
    const onIdle = vi.fn();
    const lines: string[] = [];
    const idle = createIdleExit({ graceMs: 0, log: createLogger({ name: 'mcp shared', write: (line) => lines.push(line) }), onIdle });
    vi.advanceTimersByTime(FIRST_CLIENT_MS - 1);
    expect(onIdle).not.toHaveBeenCalled();
    idle.sessions(1);
    idle.sessions(0);
    vi.advanceTimersByTime(0);
    expect(onIdle).toHaveBeenCalledTimes(1);
    expect(lines.join('')).toContain('no AI client has used this shared server for 0 s: exiting');
  });

  it('a server no client ever reached ends after the first-client wait, and says so', () => {
    const onIdle = vi.fn();
    const lines: string[] = [];
    createIdleExit({ graceMs: 0, log: createLogger({ name: 'mcp shared', write: (line) => lines.push(line) }), onIdle });
    vi.advanceTimersByTime(FIRST_CLIENT_MS);
    expect(onIdle).toHaveBeenCalledTimes(1);
    expect(lines.join('')).toContain(`no AI client connected within ${FIRST_CLIENT_MS / 1000} s of the start: exiting`);
  });
});
