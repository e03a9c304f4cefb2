import { describe, expect, it } from 'vitest';
import { envProfileSource, profileFromEnv } from '../../main/mcp/profile-source.ts';

describe('MCP profile source', () => {
  it('reads the profile the tray puts in the environment', () => {
    expect(profileFromEnv({ DAYTONA_API_KEY: 'k1', DAYTONA_API_URL: 'http://127.0.0.1:3000/api/', DAYTONA_TARGET: 'eu' })).toEqual({
      name: 'env', apiKey: 'k1', apiUrl: 'http://127.0.0.1:3000/api', target: 'eu',
    });
    expect(profileFromEnv({ DAYTONA_API_KEY: 'k1' })).toEqual({ name: 'env', apiKey: 'k1', apiUrl: 'https://app.daytona.io/api' });
  });

  it('has no profile without a key, blank values included', () => {
    expect(profileFromEnv({})).toBeUndefined();
    expect(profileFromEnv({ DAYTONA_API_KEY: '  ', DAYTONA_API_URL: 'https://x.example/api' })).toBeUndefined();
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
