// node:fs's callback API, not fs/promises: every bridge start reads this file, and loading fs/promises (with the
// readline and file-watch modules it pulls in) costs each start ~1 ms of CPU (docs/performance.md).
import { readFile, rm } from 'node:fs';
import { join } from 'node:path';
import { appDataDir } from './app-paths.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { makeDataDir } from './data-dir.ts';

/**
 * How clients find the running HTTP server: port, bearer token and pid, in the app's data directory,
 * readable by this user only. The bridge reads it on every (re)connect.
 */
export const RUNTIME_FILE_NAME = 'mcp-server.json';
/** Held while a server checks for another and starts: two starts at the same moment agree on one server. */
export const START_LOCK_NAME = 'mcp-server.lock';
/**
 * Set by a tray on the server it starts while it holds the start lock itself (replacing a shared server): the
 * child starts without taking the lock, when the lock's holder is indeed its parent.
 */
export const START_LOCK_HOLDER_ENV = 'DAYTONA_TRAY_START_LOCK_HOLDER';

export interface RuntimeInfo {
  version: 1;
  url: string;
  port: number;
  token: string;
  pid: number;
  startedAt: string;
  /** Started by a bridge for every AI client (no tray): it exits on its own once no client is left. */
  shared?: boolean;
}

// Checked by hand, not with zod: every bridge (one per AI client) reads this file, and importing zod costs each
// of them about 18 MB of resident memory (see test/bench/shared-memory.bench.mjs).
function asRuntimeInfo(value: unknown): RuntimeInfo | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const int = (x: unknown, min: number, max: number) => typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
  if (v.version !== 1 || typeof v.url !== 'string' || !URL.canParse(v.url)) return undefined;
  if (!int(v.port, 1, 65535) || !int(v.pid, 1, Number.MAX_SAFE_INTEGER)) return undefined;
  if (typeof v.token !== 'string' || v.token.length < 32 || typeof v.startedAt !== 'string') return undefined;
  if (v.shared !== undefined && typeof v.shared !== 'boolean') return undefined;
  return {
    version: 1,
    url: v.url,
    port: v.port as number,
    token: v.token,
    pid: v.pid as number,
    startedAt: v.startedAt,
    ...(v.shared !== undefined ? { shared: v.shared } : {}),
  };
}

export function runtimeFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(appDataDir(env), RUNTIME_FILE_NAME);
}

export function startLockPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(appDataDir(env), START_LOCK_NAME);
}

export async function writeRuntimeFile(file: string, info: RuntimeInfo): Promise<void> {
  await makeDataDir(join(file, '..'));
  await writeFileAtomic(file, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

/** The runtime file's contents, or undefined when it is missing or not ours (a malformed file is ignored, not trusted). */
export async function readRuntimeFile(file: string): Promise<RuntimeInfo | undefined> {
  const text = await new Promise<string | undefined>((resolve) => {
    readFile(file, 'utf8', (error, data) => resolve(error ? undefined : data));
  });
  if (text === undefined) return undefined;
  try {
    return asRuntimeInfo(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** Removes the file if it still describes process `pid` (a newer server may have replaced it). */
export async function removeRuntimeFile(file: string, pid: number): Promise<void> {
  const info = await readRuntimeFile(file);
  if (info && info.pid !== pid) return;
  await new Promise<void>((resolve, reject) => rm(file, { force: true }, (error) => (error ? reject(error) : resolve())));
}
