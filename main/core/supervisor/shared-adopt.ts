import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { looksLikeOurServer, processAlive } from '../process-alive.ts';
import { readRuntimeFile, type RuntimeInfo } from '../runtime-file.ts';
import { TOOL_GROUPS } from '../settings/settings-schema.ts';
import { keyProof, type SharedServerInfo } from '../shared-server-info.ts';
import type { Endpoint } from './child-handshake.ts';
import type { Clock } from './clock.ts';
import { createMcpPinger } from './mcp-ping.ts';
import type { SupervisorStatus } from './process-supervisor.ts';
import type { ServerConfig } from './server-config.ts';

/** A shared server the tray supervises without having started it: watched by pings, left running at a tray quit. */
export interface AdoptedServer {
  readonly pid: number;
  readonly url: string;
  readonly port: number;
  /** Its embedded local provider (local profile): where the tray's watcher and sandbox actions go. */
  readonly local: Endpoint | undefined;
  /** The server as a supervised child's status; `label` names which (the server, or the provider inside it). */
  status(label: string): SupervisorStatus;
  /** How many AI clients besides the tray have a session on it now; undefined when it does not say. */
  otherClients(): Promise<number | undefined>;
  /** Stops watching and closes the tray's session; the server keeps serving the AI clients (and exits on its own by grace). */
  release(): Promise<void>;
}

export interface AdoptOptions {
  runtimeFile: string;
  /** What the tray would serve: a server serving anything else is replaced instead. */
  config: ServerConfig;
  clock: Clock;
  healthIntervalMs: number;
  healthTimeoutMs: number;
  healthFailuresToRestart: number;
  /** The adopted server died or stopped answering (called once; `release` is still the caller's to call). */
  onLost(why: string): void;
}

export type AdoptOutcome = { adopted: AdoptedServer } | { replace: string; pid: number } | undefined;

const infoSchema = z.object({
  pid: z.number().int().positive(),
  sessions: z.number().int().nonnegative().optional(),
  groups: z.array(z.string()),
  profile: z
    .object({
      name: z.string(),
      kind: z.enum(['cloud', 'local']),
      apiUrl: z.string().optional(),
      target: z.string().optional(),
      keyProof: z.string().optional(),
    })
    .nullable(),
  profileProblem: z.string().optional(),
  local: z.object({ apiUrl: z.url(), apiKey: z.string().min(1) }).optional(),
}) satisfies z.ZodType<SharedServerInfo>;

/** How long the server may take to say what it serves (on the local profile it may start its provider first). */
const DESCRIBE_TIMEOUT_MS = 15_000;

/**
 * A shared server (`mcp --http --shared`, started by AI clients' bridges while no tray ran) named in the runtime
 * file: adopted when it is ours (pid and start time) and serves what the tray would; `replace` with the reason when
 * it serves something else or does not answer; undefined when there is none.
 */
export async function adoptSharedServer(options: AdoptOptions): Promise<AdoptOutcome> {
  const info = await readRuntimeFile(options.runtimeFile);
  if (!info?.shared || info.pid === process.pid || !processAlive(info.pid) || !looksLikeOurServer(info.pid, info.startedAt))
    return undefined;
  const nonce = randomBytes(18).toString('base64url');
  let described: SharedServerInfo;
  try {
    described = await describe(info, nonce, DESCRIBE_TIMEOUT_MS);
  } catch (error) {
    return { replace: `it did not say what it serves (${(error as Error).message})`, pid: info.pid };
  }
  const mismatch = differsFrom(options.config, described, info, nonce);
  if (mismatch) return { replace: mismatch, pid: info.pid };

  // The tray's own session, holding its notification stream: while the tray runs, the server never sees itself
  // idle (its grace period counts sessions), and each ping is the same health check a supervised child gets.
  const pinger = createMcpPinger({ url: info.url, token: info.token, clientName: 'daytona-tray' });
  try {
    await pinger.ping(AbortSignal.timeout(options.healthTimeoutMs));
  } catch (error) {
    await pinger.close();
    return { replace: `it did not answer an MCP ping (${(error as Error).message})`, pid: info.pid };
  }
  const { clock } = options;
  const since = clock.now();
  let failures = 0;
  let timer: unknown;
  let done = false;
  const lost = (why: string) => {
    if (done) return;
    done = true;
    options.onLost(why);
  };
  const check = async () => {
    if (done) return;
    if (!processAlive(info.pid) || !looksLikeOurServer(info.pid, info.startedAt)) return lost('exited');
    try {
      await pinger.ping(AbortSignal.timeout(options.healthTimeoutMs));
      failures = 0;
    } catch (error) {
      failures += 1;
      if (failures >= options.healthFailuresToRestart)
        return lost(`did not answer ${failures} pings in a row (${(error as Error).message})`);
    }
    if (!done) timer = clock.setTimeout(() => void check(), options.healthIntervalMs);
  };
  timer = clock.setTimeout(() => void check(), options.healthIntervalMs);

  return {
    adopted: {
      pid: info.pid,
      url: info.url,
      port: info.port,
      local: described.local,
      status: (label) => ({ label, state: 'running', pid: info.pid, since, starts: 0, failures }),
      async otherClients() {
        try {
          const { sessions } = await describe(info, randomBytes(18).toString('base64url'), options.healthTimeoutMs);
          return sessions === undefined ? undefined : Math.max(0, sessions - 1); // less the tray's own session
        } catch {
          return undefined;
        }
      },
      async release() {
        done = true;
        clock.clearTimeout(timer);
        await pinger.close();
      },
    },
  };
}

async function describe(info: RuntimeInfo, nonce: string, timeoutMs: number): Promise<SharedServerInfo> {
  const response = await fetch(`http://127.0.0.1:${info.port}/server-info?nonce=${nonce}`, {
    headers: { authorization: `Bearer ${info.token}` },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status}: a server from an older version, or not a shared one`);
  }
  const parsed = infoSchema.safeParse(await response.json());
  if (!parsed.success) throw new Error('its answer is not what this version expects');
  if (parsed.data.pid !== info.pid) throw new Error(`it is pid ${parsed.data.pid}, not the runtime file's ${info.pid}`);
  return parsed.data as SharedServerInfo;
}

/** Why the shared server does not serve what the tray would (so it is replaced), or undefined when it does. */
function differsFrom(config: ServerConfig, described: SharedServerInfo, info: RuntimeInfo, nonce: string): string | undefined {
  const expected = TOOL_GROUPS.filter((group) => !config.disabledGroups.includes(group));
  const offered = [...described.groups].sort();
  if (JSON.stringify(offered) !== JSON.stringify([...expected].sort())) {
    return `it offers the tool groups ${offered.join(', ') || 'none'}, the settings ${expected.join(', ') || 'none'}`;
  }
  if (config.port > 0 && config.port !== info.port) return `it listens on port ${info.port}, the settings ask for ${config.port}`;
  const mine = config.profile;
  const theirs = described.profile;
  if (!mine) return `the tray's profile cannot be used (${config.profileProblem ?? 'none is active'})`;
  if (!theirs) return `it has no usable profile (${described.profileProblem ?? 'none'})`;
  if (mine.name !== theirs.name || mine.kind !== theirs.kind) {
    return `it serves the ${theirs.kind} profile '${theirs.name}', the tray's active profile is the ${mine.kind} profile '${mine.name}'`;
  }
  if (mine.kind === 'local') return described.local ? undefined : 'it did not say where its local provider serves';
  if (theirs.apiUrl !== mine.apiUrl || (theirs.target ?? '') !== (mine.target ?? '')) {
    return `it reaches Daytona at ${theirs.apiUrl ?? '?'}${theirs.target ? ` (${theirs.target})` : ''}, the tray's profile at ${mine.apiUrl}${mine.target ? ` (${mine.target})` : ''}`;
  }
  if (theirs.keyProof !== keyProof(nonce, mine.apiKey)) return `it uses another API key than profile '${mine.name}' now has`;
  return undefined;
}
