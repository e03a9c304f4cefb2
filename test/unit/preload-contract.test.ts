import { describe, expect, it } from 'vitest';
import { parseRequest, requestSchemas } from '../../main/app/contract-schemas.ts';
import { EVENT_CHANNELS, METHOD_CHANNELS, METHOD_NAMES } from '../../preload/contract.ts';
import { createFakeBridge } from '../fakes/fake-bridge.ts';

describe('the window contract', () => {
  it('names every channel domain:action, each once, and has a request schema per method', () => {
    const channels = [...Object.values(METHOD_CHANNELS), ...Object.values(EVENT_CHANNELS)];
    for (const channel of channels) expect(channel).toMatch(/^[a-z]+:[a-z-]+$/);
    expect(new Set(channels).size).toBe(channels.length);
    expect(Object.keys(requestSchemas).sort()).toEqual([...METHOD_NAMES].sort());
  });

  // The built preload's own keys are checked against the same list in test/integration/preload-bundle.test.ts.
  it('the fake exposes exactly the contract', () => {
    const { bridge } = createFakeBridge();
    expect(Object.keys(bridge).sort()).toEqual([...METHOD_NAMES, ...Object.keys(EVENT_CHANNELS)].sort());
  });

  it('passes valid requests, normalised (trimmed key, API URL without trailing slash)', () => {
    expect(parseRequest('saveApiKey', { apiKey: '  dtn_abc  ', apiUrl: 'https://daytona.example/api/' })).toEqual({
      ok: true,
      value: { apiKey: 'dtn_abc', apiUrl: 'https://daytona.example/api' },
    });
    expect(parseRequest('getState', undefined)).toEqual({ ok: true, value: undefined });
    expect(parseRequest('updateSettings', { toolGroups: { git: false }, lowBalanceThresholdCents: 1250 })).toMatchObject({ ok: true });
    expect(parseRequest('openPreview', { id: 'sbx-1', port: 3000 })).toMatchObject({ ok: true });
    expect(parseRequest('updateProfile', { target: null })).toMatchObject({ ok: true });
  });

  it('refuses invalid requests with a bad-request value naming the fields', () => {
    const unknownClient = parseRequest('connectClient', { id: 'notepad' });
    expect(unknownClient).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(!unknownClient.ok && unknownClient.error.message).toMatch(/connectClient request \(id: /);
    expect(parseRequest('openPreview', { id: 'sbx-1', port: 70_000 })).toMatchObject({ ok: false });
    expect(parseRequest('startSandbox', { id: 'sbx-1', extra: true })).toMatchObject({ ok: false });
    expect(parseRequest('updateSettings', { toolGroups: { shell: true } })).toMatchObject({ ok: false });
    expect(parseRequest('updateSettings', { lowBalanceThresholdCents: -1 })).toMatchObject({ ok: false });
    expect(parseRequest('getState', { sneaky: 1 })).toMatchObject({ ok: false });
    expect(parseRequest('saveApiKey', { apiKey: 'dtn_x', apiUrl: 'https://user:pw@daytona.example/api' })).toMatchObject({ ok: false });
  });

  it('never echoes the submitted key in a refusal', () => {
    const key = 'dtn_secret_never_echo_0001';
    const refused = parseRequest('saveApiKey', { apiKey: key, profile: 'bad name!' });
    expect(refused.ok).toBe(false);
    expect(JSON.stringify(refused)).not.toContain(key);
    const tooLong = parseRequest('saveApiKey', { apiKey: key.repeat(40) });
    expect(JSON.stringify(tooLong)).not.toContain(key);
  });
});
