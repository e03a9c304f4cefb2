import { describe, expect, it } from 'vitest';
import { profileFromEnv } from '../../main/core/profile.ts';
import { envProfileSource } from '../../main/mcp/profile-source.ts';

describe('MCP profile source', () => {
  it('reads the profile the tray puts in the environment', () => {
    expect(profileFromEnv({ DAYTONA_API_KEY: 'k1', DAYTONA_API_URL: 'http://127.0.0.1:3000/api/', DAYTONA_TARGET: 'eu' })).toEqual({
      name: 'env',
      kind: 'cloud',
      source: 'env',
      apiKey: 'k1',
      apiUrl: 'http://127.0.0.1:3000/api',
      target: 'eu',
    });
    expect(profileFromEnv({ DAYTONA_API_KEY: 'k1' })).toEqual({
      name: 'env',
      kind: 'cloud',
      source: 'env',
      apiKey: 'k1',
      apiUrl: 'https://app.daytona.io/api',
    });
  });

  it('has no profile without a key or a URL, blank values included', () => {
    expect(profileFromEnv({})).toBeUndefined();
    expect(profileFromEnv({ DAYTONA_API_KEY: '  ', DAYTONA_API_URL: ' ' })).toBeUndefined();
  });

  it('refuses DAYTONA_API_URL without a key, rather than silently using the profile', () => {
    expect(() => profileFromEnv({ DAYTONA_API_KEY: '  ', DAYTONA_API_URL: 'https://x.example/api' })).toThrow(
      /DAYTONA_API_URL is set .* but DAYTONA_API_KEY is not\. Set DAYTONA_API_KEY too .*or unset DAYTONA_API_URL/,
    );
  });

  it('refuses a malformed API URL with a message that says what is expected', () => {
    expect(() => profileFromEnv({ DAYTONA_API_KEY: 'k', DAYTONA_API_URL: 'ftp://x' })).toThrow(/DAYTONA_API_URL must be an http\(s\) URL/);
  });

  it('prefers the environment, then asks the fallback on every call', async () => {
    let calls = 0;
    const fallback = async () => ({ name: `p${++calls}`, apiUrl: 'http://h/api', apiKey: 'f' });
    expect(await envProfileSource({ DAYTONA_API_KEY: 'e' }, fallback).active()).toMatchObject({ name: 'env', apiKey: 'e' });
    const source = envProfileSource({}, fallback);
    expect((await source.active())?.name).toBe('p1');
    expect((await source.active())?.name).toBe('p2');
    expect(await envProfileSource({}).active()).toBeUndefined();
  });
});
