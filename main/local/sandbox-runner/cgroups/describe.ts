const WHAT: Record<string, string> = {
  freezer: 'pause by the freezer',
  cpu: 'cpu limit',
  memory: 'memory limit',
  pids: 'pids limit',
};

/** "cgroup v1: pause by the freezer, cpu limit, ...", and what is missing (recorded only, or SIGSTOP for pause). */
export function describe(version: string, used: readonly string[], wanted: readonly string[]): string {
  const missing = wanted.filter((name) => !used.includes(name));
  const what = (names: readonly string[]) => names.map((name) => WHAT[name] ?? name).join(', ');
  return `${version}: ${what(used)}${missing.length > 0 ? `; without ${what(missing)} (no such controller here, or not handed down to the provider)` : ''}`;
}
