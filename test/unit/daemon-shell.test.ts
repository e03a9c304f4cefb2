import { describe, expect, it } from 'vitest';
import { daemonShell } from '../../main/local/toolbox/daemon-shell.ts';

// Daytona's daemon (apps/daemon/pkg/common/get_shell.go, v0.190.0) prefers zsh, then bash, from /etc/shells.
describe('the shell executeCommand runs, picked as the daemon picks it', () => {
  it('prefers zsh over bash when /etc/shells lists both', () => {
    expect(daemonShell('/bin/sh\n/bin/bash\n/usr/bin/zsh\n')).toBe('/usr/bin/zsh');
    expect(daemonShell('/bin/zsh\n/usr/bin/bash\n')).toBe('/bin/zsh');
  });
  it('takes bash when there is no zsh, and sh when neither is listed (comments ignored)', () => {
    expect(daemonShell('# /usr/bin/zsh\n/bin/sh\n/bin/bash\n')).toBe('/bin/bash');
    expect(daemonShell('/bin/sh\n/bin/dash\n')).toBe('sh');
    expect(daemonShell('')).toBe('sh');
  });
});
