import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { globSync } from 'node:fs';
import { redact } from '../../main/core/redact.ts';

describe('redact (the one in the codebase)', () => {
  it('replaces every occurrence of a secret standing as a whole token', () => {
    expect(redact('a KEY b KEY', ['KEY', undefined])).toBe('a *** b ***');
    expect(redact('key sk-123456 used, again sk-123456.', ['sk-123456'])).toBe('key *** used, again ***.');
  });

  it('never replaces loose characters: a one-letter password leaves words alone', () => {
    expect(redact('fatal: unable to access: password e rejected', ['e'])).toBe('fatal: unable to access: password *** rejected');
    expect(redact('the quick brown fox', ['o', 'qu'])).toBe('the quick brown fox');
  });

  it('removes the whole userinfo of a URL, whatever the password looks like', () => {
    expect(redact("fatal: could not read from 'https://me:e@example.com/r.git'", ['e'])).toBe(
      "fatal: could not read from 'https://***@example.com/r.git'",
    );
    expect(redact('cloning https://ghp_token123@github.com/x.git', [])).toBe('cloning https://***@github.com/x.git');
    expect(redact('see https://example.com/a@b and mail me@example.com', [])).toBe('see https://example.com/a@b and mail me@example.com');
  });

  it('replaces a username inside a password without leaving a tail', () => {
    expect(redact('auth bob and bobsecret99 failed', ['bob', 'bobsecret99'])).toBe('auth *** and *** failed');
  });

  it('still catches bearer tokens and Daytona keys it was not told about', () => {
    expect(redact('Authorization: Bearer abcdefghijklmnop', [])).toBe('Authorization: Bearer ***');
    expect(redact('api key dtn_0123456789abcdef rejected', [])).toBe('api key dtn_*** rejected');
  });

  it('is the only redact function in main/', async () => {
    const defining: string[] = [];
    for (const file of globSync('main/**/*.ts')) {
      if (/function redact\s*\(|const redact\s*=/.test(await readFile(file, 'utf8'))) defining.push(file);
    }
    expect(defining).toEqual(['main/core/redact.ts']);
  });
});
