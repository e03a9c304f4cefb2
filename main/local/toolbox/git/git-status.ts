const STATUS: Record<string, string> = {
  '.': 'Unmodified',
  M: 'Modified',
  T: 'Modified',
  A: 'Added',
  D: 'Deleted',
  R: 'Renamed',
  C: 'Copied',
  U: 'Updated but unmerged',
  '?': 'Untracked',
  '!': 'Untracked',
};

/** Parses `git status --porcelain=v2 --branch -z` into Daytona's GitStatus. */
export function parseStatus(out: string) {
  const entries = out.split('\0');
  const headers = new Map<string, string>();
  const fileStatus: { name: string; staging: string; worktree: string; extra: string }[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (!entry) continue;
    if (entry.startsWith('# ')) {
      const [key, ...value] = entry.slice(2).split(' ');
      headers.set(key!, value.join(' '));
      continue;
    }
    const kind = entry[0];
    if (kind === '?' || kind === '!') {
      fileStatus.push({ name: entry.slice(2), staging: STATUS[kind]!, worktree: STATUS[kind]!, extra: '' });
      continue;
    }
    // "1 XY sub mH mI mW hH hI path", "2 XY sub mH mI mW hH hI Xscore path\0orig", "u XY sub m1 m2 m3 mW h1 h2 h3 path"
    const fieldCount = kind === '1' ? 8 : kind === '2' ? 9 : kind === 'u' ? 10 : -1;
    if (fieldCount < 0) continue;
    const parts = entry.split(' ');
    const xy = parts[1] ?? '..';
    const name = parts.slice(fieldCount).join(' ');
    const extra = kind === '2' ? (entries[++i] ?? '') : '';
    fileStatus.push({ name, staging: STATUS[xy[0] ?? '.'] ?? 'Unmodified', worktree: STATUS[xy[1] ?? '.'] ?? 'Unmodified', extra });
  }
  const head = headers.get('branch.head') ?? '';
  const detached = head === '(detached)';
  const upstream = headers.get('branch.upstream');
  const ab = /^\+(\d+) -(\d+)$/.exec(headers.get('branch.ab') ?? '');
  return {
    currentBranch: detached ? 'HEAD' : head,
    fileStatus,
    ahead: Number(ab?.[1] ?? 0),
    behind: Number(ab?.[2] ?? 0),
    branchPublished: upstream !== undefined,
    ...(upstream !== undefined ? { upstream } : {}),
    detached,
  };
}
