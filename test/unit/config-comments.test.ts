import { describe, expect, it } from 'vitest';
import { commentsOf, lostComments } from '../../main/core/clients/config-comments.ts';
import { tomlFormat } from '../../main/core/clients/toml-format.ts';
import { yamlFormat } from '../../main/core/clients/yaml-format.ts';

describe('commentsOf', () => {
  it('finds JSONC line and block comments, not look-alikes inside strings', () => {
    const text = '{\n  // one\n  "url": "http://x//not", /* two */\n  "a": "/* no */"\n}';
    expect(commentsOf(text, undefined)).toEqual(['// one', '/* two */']);
  });
  it('finds TOML comments, not a # inside a string', () => {
    const text = '# top\na = 1 # after\ns = "x # not"\n[t]\nb = [1, # in array\n 2]\n';
    expect(commentsOf(text, tomlFormat)).toEqual(['# top', '# after', '# in array']);
  });
  it('finds YAML comments, not a # inside a quoted value', () => {
    const text = '# top\nkey: "a # not" # after\nlist:\n  - x # item\n';
    expect(commentsOf(text, yamlFormat)).toEqual(['# top', '# after', '# item']);
  });
});

describe('lostComments', () => {
  it('counts repeats: two equal comments need two', () => {
    expect(lostComments(['# a', '# a', '# b'], ['# b', '# a'])).toEqual(['# a']);
    expect(lostComments(['# a'], ['# a', '# c'])).toEqual([]);
  });
});
