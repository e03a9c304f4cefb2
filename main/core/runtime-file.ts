import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
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

const runtimeSchema = z.object({
  version: z.literal(1),
  url: z.url(),
  port: z.number().int().min(1).max(65535),
  token: z.string().min(32),
  pid: z.number().int().positive(),
  startedAt: z.string(),
  /** Started by a bridge for every AI client (no tray): it exits on its own once no client is left. */
  shared: z.boolean().optional(),
});

export type RuntimeInfo = z.infer<typeof runtimeSchema>;

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
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = runtimeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the file if it still describes process `pid` (a newer server may have replaced it). */
export async function removeRuntimeFile(file: string, pid: number): Promise<void> {
  const info = await readRuntimeFile(file);
  if (info && info.pid !== pid) return;
  await rm(file, { force: true });
}
