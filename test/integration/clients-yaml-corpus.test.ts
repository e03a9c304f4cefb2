import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { hostileCorpus } from '../helpers/client-corpus.ts';

/** YAML clients (Goose's `extensions:` map, Continue's `mcpServers:` list) through the hostile corpus. */

const asRoot = (text: string) => (parse(text) ?? {}) as Record<string, unknown>;

hostileCorpus({
  client: 'goose',
  install: async (home) => {
    await mkdir(join(home, '.config', 'goose'), { recursive: true });
    return join(home, '.config', 'goose', 'config.yaml');
  },
  parse: asRoot,
  entryIn: (root) => (root.extensions as Record<string, unknown> | undefined)?.daytona,
  rich: [
    '# Goose settings, edited by hand',
    'GOOSE_PROVIDER: anthropic   # spacing kept',
    "GOOSE_MODEL: 'claude-sonnet'",
    'defaults: &defaults',
    '  timeout: 300',
    '  enabled: true',
    'extensions:',
    '  # the built-in one',
    '  developer:',
    '    <<: *defaults',
    '    name: developer',
    '    type: builtin',
    '  github:',
    '    name: github',
    '    cmd: npx',
    '    args: [-y, "@modelcontextprotocol/server-github"]',
    '    envs: {GITHUB_TOKEN: ghp_example}',
    '    type: stdio',
    '',
    '# trailing comment',
    '',
  ].join('\n'),
  crlf: 'GOOSE_MODEL: x\t# a tab before the comment\r\nextensions:\r\n  developer:\r\n    name: developer\r\n    type: builtin\r\n',
  unparseable: { text: 'extensions:\n  developer:\n    name: [unclosed\n  other: 1\n', line: 4 },
  wrongRoot: { text: '- just\n- a list\n', code: 'NOT_OBJECT' },
  foreign: 'extensions:\n  daytona:\n    name: daytona\n    type: stdio\n    cmd: npx\n    args: [-y, "@daytonaio/mcp"]\n',
});

hostileCorpus({
  client: 'continue',
  install: async (home) => {
    await mkdir(join(home, '.continue'), { recursive: true });
    return join(home, '.continue', 'config.yaml');
  },
  parse: asRoot,
  entryIn: (root) => (root.mcpServers as { name?: string }[] | undefined)?.find((s) => s.name === 'daytona'),
  rich: [
    'name: Local Assistant # my assistant',
    'version: 1.0.0',
    'schema: v1',
    'models:',
    '  - name: Claude',
    '    provider: anthropic',
    '    model: claude-sonnet-4',
    'mcpServers:',
    '    # indented more than usual, on purpose',
    '    - name: SQLite',
    '      command: npx',
    '      args:',
    '        - -y',
    '        - mcp-sqlite',
    '        - /data/db.sqlite',
    'context:',
    '  - provider: code',
    '',
  ].join('\n'),
  crlf: 'name: a\r\nversion: 1.0.0\r\nmcpServers:\r\n  - name: x\t# tab\r\n    command: /bin/x\r\n',
  unparseable: { text: 'name: a\nmcpServers:\n  - name: x\n   command: y\n', line: 4 },
  wrongRoot: { text: 'name: a\nmcpServers:\n  daytona: {}\n', code: 'BAD_SHAPE' },
  foreign: 'name: a\nversion: 1.0.0\nmcpServers:\n  - name: daytona\n    command: npx\n    args: [-y, "@daytonaio/mcp"]\n',
});
