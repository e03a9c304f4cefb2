import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError } from './app-error.ts';

/** A folder we keep state in cannot be made: a file is where it (or one of its parents) should be. */
export class DataDirError extends AppError {
  readonly dir: string;
  constructor(dir: string, message: string) {
    super(message);
    this.dir = dir;
  }
}

/**
 * `mkdir -p` for the app's data folders (settings, runtime file, the local provider's data) that says what is
 * wrong and what to do, instead of `EEXIST: file already exists, mkdir ...`, when a file is in the way.
 */
export async function makeDataDir(dir: string, mode = 0o700): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode });
  } catch (error) {
    throw dataDirProblem(error, dir) ?? error;
  }
}

/** The clear error for a failed mkdir/open under `dir`, when the cause is a file in the way (else undefined). */
export function dataDirProblem(error: unknown, dir: string, env: NodeJS.ProcessEnv = process.env): DataDirError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'EEXIST' && code !== 'ENOTDIR') return undefined;
  const blocker = firstFileOnPath(dir);
  if (!blocker) return undefined;
  const home = env.DAYTONA_TRAY_HOME;
  const fromHome = home !== undefined && (dir === home || dir.startsWith(`${home.replace(/\/+$/, '')}/`));
  const where =
    blocker === dir || (fromHome && blocker === home)
      ? `${blocker} is a file, but Daytona Tray needs a folder there`
      : `${blocker} is a file, but Daytona Tray needs it to be a folder (for ${dir})`;
  const fix =
    fromHome && blocker === home
      ? 'Set DAYTONA_TRAY_HOME to a folder (or unset it), or move that file away'
      : 'Move that file away (or rename it)';
  return new DataDirError(dir, `${where}. ${fix}, then retry.`);
}

/** The path itself or its nearest parent that exists and is not a folder. */
function firstFileOnPath(path: string): string | undefined {
  const chain: string[] = [];
  for (let current = path; ; current = dirname(current)) {
    chain.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const candidate of chain) {
    try {
      if (!statSync(candidate).isDirectory()) return candidate;
    } catch {
      return undefined; // missing (or unreadable): nothing in the way further down
    }
  }
  return undefined;
}
