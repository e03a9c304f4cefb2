import { describe, expect, it } from 'vitest';
import { globMatcher, globToRegExp } from '../../main/local/toolbox/files/glob.ts';

describe('globToRegExp', () => {
  const cases: [string, string[], string[]][] = [
    ['*.ts', ['a.ts', '.hidden.ts', '.ts'], ['a.tsx', 'dir/a.ts', 'a.ts/x']],
    ['file?.txt', ['file1.txt', 'fileA.txt'], ['file.txt', 'file12.txt', 'file/.txt']],
    ['**/*.go', ['main.go', 'src/main.go', 'a/b/c/d.go'], ['main.gox', 'src/main.go/x']],
    ['src/**/*.ts', ['src/a.ts', 'src/lib/util/c.ts'], ['a.ts', 'lib/src/a.ts', 'srcx/a.ts']],
    ['src/**', ['src/a', 'src/a/b/c'], ['src', 'other/a']],
    ['**', ['a', 'a/b/c', '.x'], []],
    ['a**b', ['ab', 'aXXb'], ['a/b', 'aX/Yb']],
    ['*.{go,tsx}', ['a.go', 'b.tsx'], ['c.ts', 'a.{go,tsx}']],
    ['{a,b{c,d}}.txt', ['a.txt', 'bc.txt', 'bd.txt'], ['b.txt', 'abc.txt']],
    ['[abc].md', ['a.md', 'c.md'], ['d.md', 'ab.md']],
    ['[a-c]x', ['ax', 'bx', 'cx'], ['dx', '-x']],
    ['[!a-c]x', ['dx', '-x'], ['ax', '/x']],
    ['[^0-9]', ['a'], ['5']],
    ['[]]', [']'], ['a']],
    ['[-a]', ['-', 'a'], ['b']],
    ['[a-]', ['-', 'a'], ['b']],
    ['\\*.txt', ['*.txt'], ['a.txt']],
    ['a\\{b', ['a{b'], ['ab']],
    ['[unclosed', ['[unclosed'], ['u']],
    ['{unclosed', ['{unclosed'], ['unclosed']],
    ['a.b+(c)|d$^', ['a.b+(c)|d$^'], ['aXb+(c)|d$^', 'abbc']],
    ['ünï*', ['ünïcode'], ['unicode']],
    ['?', ['é', '😀'], ['ab', '/']],
  ];
  it.each(cases)('%s', (glob, matching, notMatching) => {
    const regex = globToRegExp(glob);
    for (const path of matching) expect(regex.test(path), `${glob} should match ${path}`).toBe(true);
    for (const path of notMatching) expect(regex.test(path), `${glob} should not match ${path}`).toBe(false);
  });

  it('refuses a reversed range with a 400 that names the pattern', () => {
    expect(() => globToRegExp('[z-a]')).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining("'[z-a]'") }));
  });
});

describe('globMatcher', () => {
  it('matches a pattern without a slash against the name at any depth', () => {
    const matches = globMatcher('*.ts');
    expect(['a.ts', 'src/b.ts', 'src/lib/c.ts'].filter(matches)).toEqual(['a.ts', 'src/b.ts', 'src/lib/c.ts']);
    expect(matches('src/b.tsx')).toBe(false);
  });

  it('matches a pattern with a slash against the whole relative path', () => {
    const matches = globMatcher('lib/**/*.ts');
    expect(['lib/a.ts', 'lib/x/y.ts', 'src/lib/a.ts', 'a.ts'].filter(matches)).toEqual(['lib/a.ts', 'lib/x/y.ts']);
    expect(globMatcher('./docs/*.md')('docs/readme.md')).toBe(true);
  });
});
