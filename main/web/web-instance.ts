import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { makeDataDir } from '../core/data-dir.ts';
import { tryFileLock, type HeldLock } from '../core/file-lock.ts';

/**
 * One web app per data dir. `web-app.json` (mode 0600, beside mcp-server.json) says where the running one
 * listens and holds a control token with which a second `daytona-tray app --web` asks it for a fresh
 * one-time link, to open its page instead of starting a second app. It also keeps the last run's port and
 * session secret when the app stops, so a page left open reconnects once the app is started again (the
 * browser still holds that session's cookie). `web-app.lock`, created exclusively, settles two starts at once.
 */
export const WEB_APP_FILE = 'web-app.json';
const LOCK_FILE = 'web-app.lock';
/** Control path on the web server; only a request with the control token gets an answer. */
export const CONTROL_LINK_PATH = '/control/link';

const recordSchema = z.object({
  version: z.literal(1),
  pid: z.number().int().positive(),
  port: z.number().int().min(1).max(65_535),
  control: z.string().min(32),
  session: z.string().min(32),
});
export type WebAppRecord = z.infer<typeof recordSchema>;

export type WebInstance =
  /** Another app serves this data dir: `link` opens its page. */
  | { running: true; link: string; origin: string }
  /** This process is the one: `previous` is the last run's port and session (to reuse), `publish` says where it listens. */
  | {
      running: false;
      previous: { port: number; session: string } | undefined;
      control: string;
      publish(port: number, session: string): Promise<void>;
      release(): Promise<void>;
    };

const ASK_TIMEOUT_MS = 3_000;
/** How long a second start waits for a first one that holds the lock but has not said where it listens yet. */
const STARTING_WAIT_MS = 30_000;

export async function claimWebInstance(dataDir: string, log: (line: string) => void): Promise<WebInstance> {
  await makeDataDir(dataDir);
  const lockFile = join(dataDir, LOCK_FILE);
  const recordFile = join(dataDir, WEB_APP_FILE);
  const deadline = Date.now() + STARTING_WAIT_MS;
  let lock: HeldLock;
  for (;;) {
    const taken = await tryFileLock(lockFile);
    if ('lock' in taken) {
      lock = taken.lock;
      break;
    }
    // A lock left by an app that was killed is taken over by tryFileLock: this holder runs.
    const holder = taken.holder;
    const record = await readRecord(recordFile);
    if (record && record.pid === holder) {
      const link = await askForLink(record);
      if (link) return { running: true, link, origin: `http://127.0.0.1:${record.port}` };
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Another Daytona Tray (pid ${holder}) holds ${lockFile} but does not answer: stop it, or remove that file if no such app runs.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  const last = await readRecord(recordFile);
  const control = randomBytes(32).toString('base64url');
  return {
    running: false,
    previous: last ? { port: last.port, session: last.session } : undefined,
    control,
    async publish(port, session) {
      const record: WebAppRecord = { version: 1, pid: process.pid, port, control, session };
      await writeFileAtomic(recordFile, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    },
    async release() {
      await lock.release().catch((error: unknown) => log(`could not remove ${lockFile}: ${(error as Error).message}`));
    },
  };
}

async function readRecord(file: string): Promise<WebAppRecord | undefined> {
  try {
    const parsed = recordSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Asks the running app for a new one-time link; undefined when it does not answer as ours. */
async function askForLink(record: WebAppRecord): Promise<string | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${record.port}${CONTROL_LINK_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${record.control}` },
      signal: AbortSignal.timeout(ASK_TIMEOUT_MS),
    });
    if (!response.ok) return undefined;
    const { url } = (await response.json()) as { url?: unknown };
    return typeof url === 'string' && url.startsWith(`http://127.0.0.1:${record.port}/`) ? url : undefined;
  } catch {
    return undefined;
  }
}
