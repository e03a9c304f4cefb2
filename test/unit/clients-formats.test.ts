import { describe, expect, it } from 'vitest';
import { tomlFormat } from '../../main/core/clients/toml-format.ts';
import { yamlFormat } from '../../main/core/clients/yaml-format.ts';

/** The YAML and TOML engines on layouts the hostile corpus does not reach through a client. */
const ENTRY = { command: '/usr/bin/node', args: ['/app/out/main/cli.js', 'bridge'] };
const MAP = { key: 'servers', name: 'daytona' };

describe('YAML engine', () => {
  it('a flow map is edited through the Document API and says the file was printed again', () => {
    const edit = yamlFormat.edit('# keep me\nservers: {other: {command: x}}\n', 'f.yaml', MAP, ENTRY);
    expect(edit.note).toMatch(/printed again by the yaml library/);
    expect(edit.text).toContain('# keep me');
    expect(yamlFormat.parse(edit.text, 'f.yaml')).toEqual({ servers: { other: { command: 'x' }, daytona: ENTRY } });
  });

  it('`servers:` with nothing after it gets our entry under it', () => {
    const edit = yamlFormat.edit('a: 1\nservers:\nb: 2\n', 'f.yaml', MAP, ENTRY);
    expect(edit.note).toBeUndefined();
    expect(yamlFormat.parse(edit.text, 'f.yaml')).toEqual({ a: 1, b: 2, servers: { daytona: ENTRY } });
    expect(edit.text.startsWith('a: 1\n')).toBe(true);
    expect(edit.text.endsWith('b: 2\n')).toBe(true);
  });

  it('removing the only server leaves an empty map, not null', () => {
    const added = yamlFormat.edit('servers:\n  # mine\n  other: 1\n', 'f.yaml', MAP, ENTRY).text;
    const only = 'servers:\n  daytona:\n    command: x\n';
    expect(yamlFormat.parse(yamlFormat.edit(only, 'f.yaml', MAP, undefined).text, 'f.yaml')).toEqual({ servers: {} });
    expect(yamlFormat.edit(added, 'f.yaml', MAP, undefined).text).toBe('servers:\n  # mine\n  other: 1\n');
  });

  it('duplicate keys and a document that is a list are refused with the line', () => {
    expect(() => yamlFormat.parse('a: 1\nb: 2\na: 3\n', 'f.yaml')).toThrow(/f\.yaml as YAML \(line 3, column 1: Map keys must be unique/);
    expect(() => yamlFormat.parse('- a\n', 'f.yaml')).toThrow(/holds a YAML list/);
  });
});

describe('TOML engine', () => {
  it('servers in an inline table are edited by the library, with a note', () => {
    const edit = tomlFormat.edit('servers = { other = { command = "x" } }\n', 'c.toml', MAP, ENTRY);
    expect(edit.note).toMatch(/re-spaced comments/);
    expect(tomlFormat.parse(edit.text, 'c.toml')).toEqual({ servers: { other: { command: 'x' }, daytona: ENTRY } });
  });

  it('our section is appended after a blank line and cut out again to the byte; dates and other sections untouched', () => {
    const original = 'when = 1979-05-27T07:32:00Z\t# a tab\n\n[servers.other]\ncommand = "x"\n';
    const added = tomlFormat.edit(original, 'c.toml', MAP, ENTRY).text;
    expect(added).toBe(`${original}\n[servers.daytona]\ncommand = "/usr/bin/node"\nargs = [ "/app/out/main/cli.js", "bridge" ]\n`);
    expect(tomlFormat.edit(added, 'c.toml', MAP, undefined).text).toBe(original);
  });

  it('a parse error names the line and column', () => {
    expect(() => tomlFormat.parse('a = 1\nb = = 2\n', 'c.toml')).toThrow(/Cannot parse c\.toml as TOML \(line 2, column \d+/);
  });
});
