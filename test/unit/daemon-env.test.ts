import { describe, expect, it } from 'vitest';
import { DaemonEnv } from '../../main/local/toolbox/server/daemon-env.ts';
import { listeningPorts } from '../../main/local/toolbox/server/listening-ports.ts';

describe("the daemon's environment (sandbox.updateEnv)", () => {
  it('unsets, then drops values with the prefix except names being set, then sets; forgets on stop', () => {
    const env = new DaemonEnv();
    const own = { KEEP: 'k', GONE: 'g', SECRET_A: 'ph:a', SECRET_B: 'ph:b' };
    expect(env.of('sb', own)).toBe(own);
    env.update('sb', own, { unset: ['GONE'], unsetValuePrefix: 'ph:', set: { SECRET_B: 'ph:new', ADDED: '1' } });
    expect(env.of('sb', own)).toEqual({ KEEP: 'k', SECRET_B: 'ph:new', ADDED: '1' });
    expect(own).toEqual({ KEEP: 'k', GONE: 'g', SECRET_A: 'ph:a', SECRET_B: 'ph:b' });
    env.forget('sb');
    expect(env.of('sb', own)).toBe(own);
  });
});

describe('listening ports from /proc/net/tcp*', () => {
  it('reports listening sockets only, IPv4 and IPv6, once each', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:10E0 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1',
      '   1: 0100007F:A1B2 0100007F:10E0 01 00000000:00000000 00:00000000 00000000  1000        0 2',
      '   0: 00000000000000000000000000000000:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 1000 0 3',
      '   1: 00000000000000000000000001000000:10E0 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 1000 0 4',
    ].join('\n');
    expect(listeningPorts(tcp)).toEqual([3000, 4320]);
  });
});
