import { describe, expect, it } from 'vitest';
import { createLogBuffer } from '../../main/core/supervisor/log-buffer.ts';

describe('supervisor log buffer', () => {
  it('keeps only the last 500 lines, oldest first, with time and source', () => {
    const log = createLogBuffer({ now: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
    for (let i = 1; i <= 520; i++) log.append('mcp', `line ${i}`);
    const lines = log.lines();
    expect(lines).toHaveLength(500);
    expect(lines[0]).toBe('2026-01-02T03:04:05.000Z mcp: line 21');
    expect(lines.at(-1)).toBe('2026-01-02T03:04:05.000Z mcp: line 520');
  });

  it('removes registered secrets and credential-shaped text before keeping a line', () => {
    const log = createLogBuffer();
    log.addSecret('s3cr3t-api-key-value');
    log.append('mcp', 'using key s3cr3t-api-key-value for https://app.daytona.io/api');
    log.append('local', 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz and dtn_0123456789abcdef and http://user:pw@host/');
    const text = log.lines().join('\n');
    expect(text).not.toContain('s3cr3t-api-key-value');
    expect(text).not.toContain('abcdefghijklmnopqrstuvwxyz');
    expect(text).not.toContain('0123456789abcdef');
    expect(text).not.toContain(':pw@');
    expect(text).toContain('using key *** for https://app.daytona.io/api');
    expect(log.redact('x s3cr3t-api-key-value y')).toBe('x *** y');
  });

  it('cuts a runaway line instead of holding all of it', () => {
    const log = createLogBuffer();
    log.append('mcp', 'x'.repeat(100_000));
    const [line] = log.lines();
    expect(line!.length).toBeLessThan(2100);
    expect(line).toContain('(98000 more characters)');
  });
});
