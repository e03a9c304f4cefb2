import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../main/mcp/log.ts';

describe('MCP logger', () => {
  it('redacts registered secrets and credential-shaped text', () => {
    expect(redact('key sk-123456 used', ['sk-123456'])).toBe('key *** used');
    expect(redact('Authorization: Bearer abcdefghijklmnop', [])).toBe('Authorization: Bearer ***');
    expect(redact('api key dtn_0123456789abcdef rejected', [])).toBe('api key dtn_*** rejected');
    expect(redact('cloning https://user:hunter2@github.com/x.git', [])).toBe('cloning https://***@github.com/x.git');
  });

  it('writes one timestamped line per event to its sink, secrets removed', () => {
    const lines: string[] = [];
    const log = createLogger({ name: 'mcp', write: (line) => lines.push(line), now: () => new Date('2026-01-02T03:04:05.000Z') });
    log.addSecret('s3cr3t-value');
    log.warn('first line\nsecond line with s3cr3t-value');
    log.info('ok');
    expect(lines).toEqual([
      '2026-01-02T03:04:05.000Z [mcp] warn first line ⏎ second line with ***\n',
      '2026-01-02T03:04:05.000Z [mcp] info ok\n',
    ]);
  });
});
