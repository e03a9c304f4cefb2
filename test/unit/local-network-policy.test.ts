import { describe, expect, it } from 'vitest';
import { networkPolicyOf, parseAllowList } from '../../main/local/network-policy.ts';
import { PreviewLinks, parsePreviewHost } from '../../main/local/preview/preview-links.ts';
import { rulesFor } from '../../main/local/sandbox-runner/own-network.ts';

describe('parseAllowList', () => {
  it('takes comma-separated IPv4 CIDRs, a bare address as /32', () => {
    expect(parseAllowList(' 10.0.0.0/8, 1.2.3.4 ,,192.168.1.0/24')).toEqual(['10.0.0.0/8', '1.2.3.4/32', '192.168.1.0/24']);
    expect(parseAllowList('')).toEqual([]);
  });

  it.each(['10.0.0.0/33', 'example.com', '10.0.0/8', '::1/128', '1.2.3.4/8/1', '1.2.3.4/'])(
    'refuses %s with a 400 that names it',
    (entry) => {
      expect(() => parseAllowList(`10.0.0.0/8,${entry}`)).toThrow(
        expect.objectContaining({ status: 400, message: expect.stringContaining(`'${entry}'`) }),
      );
    },
  );

  it('reads a policy from a record: an empty list is no list', () => {
    expect(networkPolicyOf({ networkBlockAll: false, networkAllowList: '1.2.3.4' })).toEqual({
      blockAll: false,
      allowList: ['1.2.3.4/32'],
    });
    expect(networkPolicyOf({ networkBlockAll: true, networkAllowList: ' ' })).toEqual({ blockAll: true });
  });
});

describe('rulesFor (the nft table in the sandbox namespace)', () => {
  it('replaces the table as a whole, lets loopback through and rejects the rest', () => {
    const rules = rulesFor({ blockAll: true });
    expect(rules.split('\n').slice(0, 3)).toEqual([
      'table inet daytona_tray',
      'delete table inet daytona_tray',
      'table inet daytona_tray {',
    ]);
    expect(rules).toContain('oifname "lo" accept');
    expect(rules).not.toMatch(/daddr|^\s+accept$/m);
    expect(rules).toMatch(/reject with icmpx type admin-prohibited\n {2}\}\n\}/);
  });

  it('an allow list admits its networks and the DNS forwarder only; no list admits everything', () => {
    const listed = rulesFor({ blockAll: false, allowList: ['10.0.0.0/8', '1.2.3.4/32'] });
    expect(listed).toContain('ip daddr { 10.0.0.0/8, 1.2.3.4/32 } accept');
    expect(listed).toContain('ip daddr 10.0.2.3 udp dport 53 accept');
    expect(listed).not.toMatch(/^\s+accept$/m);
    expect(rulesFor({ blockAll: false })).toMatch(/^\s+accept$/m);
  });
});

describe('preview links', () => {
  it('reads <port>-<label>.localhost[:port] Host names, case-insensitively, and nothing else', () => {
    expect(parsePreviewHost('8000-0b9e2c5e-1f3a-4c4e-9d5e-7a1b2c3d4e5f.localhost:4321')).toEqual({
      port: 8000,
      label: '0b9e2c5e-1f3a-4c4e-9d5e-7a1b2c3d4e5f',
    });
    expect(parsePreviewHost('3000-ABCDEF.LOCALHOST')).toEqual({ port: 3000, label: 'abcdef' });
    for (const host of [
      undefined,
      '127.0.0.1:4321',
      'localhost:4321',
      '0-abc.localhost',
      '70000-abc.localhost',
      '80-abc.localhost.evil.com',
      '80-a_b.localhost',
      'x80-abc.localhost',
    ]) {
      expect(parsePreviewHost(host), String(host)).toBeUndefined();
    }
  });

  it('signs a port of a sandbox until its time is up; expiring ends it early', () => {
    let now = 1_000_000;
    const links = new PreviewLinks(
      () => 4321,
      () => now,
    );
    expect(links.url('sbx', 8000)).toBe('http://8000-sbx.localhost:4321');
    const { token, url } = links.sign('sbx', 8000, 60);
    expect(url).toBe(`http://8000-${token}.localhost:4321`);
    expect(links.resolveSigned(token, 8000)).toEqual({ sandboxId: 'sbx' });
    expect(links.resolveSigned(token, 8001)).toBeUndefined();
    now += 60_000;
    expect(links.resolveSigned(token, 8000)).toBe('expired');
    const second = links.sign('sbx', 8000, 60);
    expect(links.expire('other', 8000, second.token)).toBe(false);
    expect(links.expire('sbx', 8000, second.token)).toBe(true);
    expect(links.resolveSigned(second.token, 8000)).toBeUndefined();
  });
});
