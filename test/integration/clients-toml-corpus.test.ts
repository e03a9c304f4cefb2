import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from '@decimalturn/toml-patch';
import { hostileCorpus } from '../helpers/client-corpus.ts';

/** Codex CLI's config.toml (`[mcp_servers.<name>]` tables) through the hostile corpus. */
hostileCorpus({
  client: 'codex',
  install: async (home) => {
    await mkdir(join(home, '.codex'), { recursive: true });
    return join(home, '.codex', 'config.toml');
  },
  parse: (text) => parse(text) as Record<string, unknown>,
  entryIn: (root) => (root.mcp_servers as Record<string, unknown> | undefined)?.daytona,
  rich: [
    '# Codex settings',
    'model = "gpt-5"   # spacing kept',
    'approval_policy = "on-request"',
    'sandbox = { mode = "workspace-write", network = false }',
    '',
    '[profiles.fast]',
    'model = "gpt-5-mini"',
    '',
    '[[hooks]]',
    'name = "lint"',
    '',
    '[[hooks]]',
    'name = "test"',
    '',
    '[mcp_servers.github]',
    'command = "npx"',
    "args = ['-y', '@modelcontextprotocol/server-github']",
    'env = { GITHUB_TOKEN = "ghp_example" }',
    '',
    '# trailing comment',
    '',
  ].join('\n'),
  crlf: 'model = "x"\t# a tab\r\n\r\n[mcp_servers.other]\r\ncommand = "/bin/x"\r\n',
  unparseable: { text: 'model = "x"\n[mcp_servers.a]\ncommand = "npx"\nargs = ["-y",\n', line: 4 },
  wrongRoot: { text: 'mcp_servers = "not a table"\n', code: 'BAD_SHAPE' },
  foreign: '[mcp_servers.daytona]\ncommand = "npx"\nargs = ["-y", "@daytonaio/mcp"]\n',
});
