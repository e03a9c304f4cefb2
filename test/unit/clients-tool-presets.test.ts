import { describe, expect, it } from 'vitest';
import { bridgeScriptOf, looksLikeOurBridge } from '../../main/core/clients/bridge-launch.ts';
import { defaultPreset, groupsOf, parseToolsOption, presetOfArgs, TOOL_CAPS, toolsArgs } from '../../main/core/clients/tool-presets.ts';
import { CLIENT_IDS } from '../../main/core/clients/types.ts';
import { ALL_TOOLS } from '../../main/mcp/tools/index.ts';

const countOf = (groups: readonly string[]) => ALL_TOOLS.filter((tool) => groups.includes(tool.group)).length;

describe('tool presets against the server as it is', () => {
  it.each(CLIENT_IDS.filter((id) => TOOL_CAPS[id]))('%s gets by default no more tools than its documented cap', (id) => {
    const cap = TOOL_CAPS[id]!;
    expect(countOf(groupsOf(defaultPreset(id)))).toBeLessThanOrEqual(cap.limit);
    expect(cap.source).toMatch(/^https:\/\//);
  });

  it("Cursor's cap is below the server's full tool list, so its preset is what keeps it usable", () => {
    expect(ALL_TOOLS.length).toBeGreaterThan(TOOL_CAPS.cursor!.limit);
    expect(defaultPreset('cursor')).toEqual(['sandbox', 'files', 'process', 'git', 'preview']);
  });

  it('clients without a cap get every group (their entry carries no --tools)', () => {
    expect(defaultPreset('claude-code')).toBeUndefined();
    expect(toolsArgs(defaultPreset('claude-code'), undefined)).toEqual([]);
  });
});

describe('--tools values', () => {
  it('parses groups in any order into the server order, each once; all of them is "all"', () => {
    expect(parseToolsOption('git, sandbox,git')).toEqual(['sandbox', 'git']);
    expect(parseToolsOption('all')).toBeUndefined();
    expect(parseToolsOption('sandbox,files,process,git,preview,computer-use')).toBeUndefined();
  });

  it('refuses unknown or no groups, naming the valid ones', () => {
    expect(() => parseToolsOption('files,desktop')).toThrow(
      'unknown tool group desktop: name groups separated by commas (sandbox, files, process, git, preview, computer-use), or all.',
    );
    expect(() => parseToolsOption(' , ')).toThrow(/^no tool group named: /);
  });

  it('on a client whose default is smaller, every group is written as `--tools all` (no --tools there predates presets)', () => {
    expect(toolsArgs(undefined, defaultPreset('cursor'))).toEqual(['--tools', 'all']);
    expect(toolsArgs(['files'], undefined)).toEqual(['--tools', 'files']);
  });

  it('reads the preset back from an entry: --tools X, --tools=X, none (null)', () => {
    expect(presetOfArgs(['--tools', 'files,git'])).toEqual(['files', 'git']);
    expect(presetOfArgs(['--tools=all'])).toBeUndefined();
    expect(presetOfArgs([])).toBeNull();
  });
});

describe('our entry is still recognised with --tools after bridge', () => {
  const script = '/opt/Daytona Tray/resources/app/out/main/cli.js';
  it.each([[[script, 'bridge']], [[script, 'bridge', '--tools', 'files']], [[script, 'bridge', '--tools=files,git']]])(
    '%j is ours',
    (args) => {
      expect(looksLikeOurBridge(args)).toBe(true);
      expect(bridgeScriptOf(args)).toBe(script);
    },
  );

  it.each([
    [[script, 'bridge', '--other']],
    [[script, 'bridge', '--tools', 'files', 'extra']],
    [['/somewhere/else/cli.js', 'bridge', '--tools', 'files']],
    [['--tools', 'files']],
  ])('%j is not', (args) => {
    expect(looksLikeOurBridge(args)).toBe(false);
  });
});
