import { describe, expect, it } from 'vitest';
import { createIdleTrimmer } from '../../main/mcp/idle-trim.ts';
import { createLogger } from '../../main/mcp/log.ts';

describe('MCP idle memory trim', () => {
  it('runs one memory-reducing collection per quiet spell, and again after new activity', async () => {
    const lines: string[] = [];
    const trimmer = createIdleTrimmer({ log: createLogger({ name: 'mcp', write: (line) => lines.push(line) }), idleMs: 100 });
    try {
      const trims = () => lines.filter((line) => /idle: trimmed memory from [\d.]+ MB to [\d.]+ MB resident in \d+ ms/.test(line)).length;
      await expect.poll(trims, { timeout: 10_000 }).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(trims()).toBe(1);
      trimmer.touch();
      await expect.poll(trims, { timeout: 10_000 }).toBe(2);
      expect(lines.join('')).not.toContain('unavailable');
    } finally {
      trimmer.stop();
    }
  });
});
