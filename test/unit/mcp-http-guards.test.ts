import { describe, expect, it } from 'vitest';
import { bearerMatches, hostAllowed, originAllowed } from '../../main/mcp/http-guards.ts';

describe('MCP HTTP guards', () => {
  it('accepts only 127.0.0.1:PORT and localhost:PORT as Host', () => {
    expect(hostAllowed('127.0.0.1:4000', 4000)).toBe(true);
    expect(hostAllowed('LOCALHOST:4000', 4000)).toBe(true);
    for (const host of [
      '127.0.0.1',
      'localhost',
      '127.0.0.1:4001',
      'evil.example:4000',
      '[::1]:4000',
      '0.0.0.0:4000',
      '127.0.0.1:4000.evil.example',
      undefined,
      '',
    ]) {
      expect(hostAllowed(host, 4000), String(host)).toBe(false);
    }
  });

  it('lets requests without Origin through and only loopback web origins', () => {
    expect(originAllowed(undefined)).toBe(true);
    for (const origin of ['http://127.0.0.1:3000', 'http://localhost', 'https://localhost:8443', 'http://[::1]:5173'])
      expect(originAllowed(origin), origin).toBe(true);
    for (const origin of [
      'http://evil.example',
      'null',
      'file://',
      'http://127.0.0.1.evil.example',
      'chrome-extension://abc',
      'http://localhost.evil.example:80',
      '',
    ]) {
      expect(originAllowed(origin), origin).toBe(false);
    }
  });

  it('matches only "Bearer <the token>"', () => {
    const token = 'a'.repeat(43);
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
    expect(bearerMatches(`bearer ${token}`, token)).toBe(true);
    for (const header of [
      undefined,
      '',
      token,
      `Bearer ${token}x`,
      `Bearer ${token.slice(1)}`,
      'Bearer ',
      `Basic ${token}`,
      `Bearer ${token} extra`,
    ]) {
      expect(bearerMatches(header, token), String(header)).toBe(false);
    }
  });
});
