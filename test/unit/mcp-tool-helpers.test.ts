import { describe, expect, it } from 'vitest';
import { enabledGroups } from '../../main/mcp/default-deps.ts';
import { clip, formatBytes } from '../../main/mcp/tool-kit.ts';
import { looksLikeText } from '../../main/mcp/tools/file-download.ts';
import { defaultCloneFolder } from '../../main/mcp/tools/git-clone.ts';

describe('MCP tool helpers', () => {
  it('names a clone folder the way git does', () => {
    expect(defaultCloneFolder('https://github.com/daytonaio/daytona.git')).toBe('daytona');
    expect(defaultCloneFolder('git@github.com:org/repo.git')).toBe('repo');
    expect(defaultCloneFolder('https://example.com/org/repo/')).toBe('repo');
    expect(defaultCloneFolder('file:///home/daytona/src')).toBe('src');
    expect(defaultCloneFolder('..')).toBe('repo');
  });

  it('treats UTF-8 without NUL bytes as text, anything else as binary', () => {
    expect(looksLikeText(Buffer.from('héllo\nwörld'))).toBe(true);
    expect(looksLikeText(Buffer.from([0x68, 0x00, 0x69]))).toBe(false);
    expect(looksLikeText(Buffer.from([0xff, 0xfe, 0x41]))).toBe(false);
    expect(looksLikeText(Buffer.alloc(0))).toBe(true);
  });

  it('cuts long output in the middle and says how much', () => {
    expect(clip('short', 10)).toEqual({ text: 'short', truncated: false });
    const long = `${'a'.repeat(50)}${'b'.repeat(50)}`;
    const cut = clip(long, 20);
    expect(cut.truncated).toBe(true);
    expect(cut.text).toBe(`aaaa\n[… 80 characters omitted …]\n${'b'.repeat(16)}`);
  });

  it('formats sizes for people', () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(1_500_000), formatBytes(3 * 1024 ** 3)]).toEqual([
      '512 B',
      '1.5 KiB',
      '1.4 MiB',
      '3.0 GiB',
    ]);
  });

  it('turns a disabled-groups list into the groups left on, refusing unknown names', () => {
    expect(enabledGroups(undefined)).toEqual(['sandbox', 'files', 'process', 'git', 'preview', 'computer-use']);
    expect(enabledGroups(' Git, preview,computer-use')).toEqual(['sandbox', 'files', 'process']);
    expect(() => enabledGroups('git,computer')).toThrow(
      "unknown tool group 'computer': the groups are sandbox, files, process, git, preview, computer-use",
    );
  });
});
