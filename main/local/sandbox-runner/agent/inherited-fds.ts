/**
 * Closes the descriptors this process inherited without close-on-exec, from `first` up: one that the provider's
 * process got from whoever started it (a host file or pipe a shell or client left open) would otherwise reach every
 * process it spawns, and so every sandbox. Node makes its own descriptors close-on-exec (its IPC channel too), so
 * they stay. The agent runs it first (from AGENT_SOURCE, so it must use nothing from outside its own body) and keeps
 * its descriptors 0 to 4; the provider runs it before it starts anything, and keeps 0 to 2.
 */
export function closeInheritedDescriptors(first = 5): void {
  const { closeSync, readdirSync, readFileSync } = process.getBuiltinModule('node:fs');
  const CLOSE_ON_EXEC = 0o2000000;
  for (const name of readdirSync('/proc/self/fd')) {
    const fd = Number(name);
    if (fd < first) continue;
    try {
      const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
      if (flags !== undefined && (parseInt(flags, 8) & CLOSE_ON_EXEC) === 0) closeSync(fd);
    } catch {
      // closed meanwhile (the listing's own descriptor)
    }
  }
}
