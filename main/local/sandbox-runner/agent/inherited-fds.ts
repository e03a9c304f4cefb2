/**
 * Closes what the agent inherited beyond its own descriptors (0 to 4): one that the provider's process got from
 * whoever started it, without close-on-exec, would otherwise reach every command in the sandbox (a host pipe's
 * write end, say). Node's own descriptors are all close-on-exec and stay. Runs first in the agent, from its source
 * (AGENT_SOURCE), so it must use nothing from outside its own body.
 */
export function closeInheritedDescriptors(): void {
  const { closeSync, readdirSync, readFileSync } = process.getBuiltinModule('node:fs');
  const CLOSE_ON_EXEC = 0o2000000;
  for (const name of readdirSync('/proc/self/fd')) {
    const fd = Number(name);
    if (fd <= 4) continue;
    try {
      const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
      if (flags !== undefined && (parseInt(flags, 8) & CLOSE_ON_EXEC) === 0) closeSync(fd);
    } catch {
      // closed meanwhile (the listing's own descriptor)
    }
  }
}
