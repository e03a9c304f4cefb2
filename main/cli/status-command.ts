import { parseArgs } from 'node:util';
import type { ClientStatus } from '../core/clients/types.ts';
import { ProfileError, resolveProfile } from '../core/profile.ts';
import { createKeyringSecretStore } from '../core/secrets/keyring-secret-store.ts';
import { SecretStoreError } from '../core/secrets/secret-store.ts';
import { isKnownProfile, type Settings } from '../core/settings/settings-schema.ts';
import { createSettingsStore } from '../core/settings/settings-store.ts';
import { looksLikeOurServer, processAlive } from '../core/process-alive.ts';
import { readRuntimeFile, runtimeFilePath } from '../core/runtime-file.ts';
import { describeState } from './clients-command.ts';
import { clientsForThisProcess } from './setup-command.ts';

const HELP = `Usage: daytona-tray status [--json]

Shows the active profile (and whether its API key is in the OS keychain), whether the
MCP server is running (from its runtime file and its /health endpoint), and each AI client.
  --json   print one JSON object {profile, server, clients} instead of text`;

const HEALTH_TIMEOUT_MS = 2000;

export interface ProfileReport {
  name: string;
  kind: string;
  apiUrl?: string;
  target?: string;
  /** Where the key comes from: `keychain`, `environment` (DAYTONA_API_KEY), `missing`, `unknown` (keychain error), `none needed` (local). */
  apiKey: 'keychain' | 'environment' | 'missing' | 'unknown' | 'none needed';
  /** What is wrong and what to do, when something is. */
  problem?: string;
  note?: string;
  /** What the settings file made us ignore (a file that cannot be read, invalid values), each naming the file or setting. */
  settingsWarnings?: string[];
}

export interface ServerReport {
  /** `running`: the process is there and /health answers; `not responding`: there but silent; `not running`. */
  state: 'running' | 'not responding' | 'not running';
  runtimeFile: string;
  url?: string;
  port?: number;
  pid?: number;
  startedAt?: string;
  note?: string;
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (error) {
    process.stderr.write(`daytona-tray status: ${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }

  const [profile, server, clients] = await Promise.all([
    profileReport(),
    serverReport(),
    Promise.all(Object.values(clientsForThisProcess()).map((client) => client.status())),
  ]);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ profile, server, clients }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${formatStatus(profile, server, clients)}\n`);
  return 0;
}

async function profileReport(): Promise<ProfileReport> {
  const settingsStore = createSettingsStore();
  let settings;
  let warnings: string[];
  try {
    ({ settings, warnings } = await settingsStore.load());
  } catch (error) {
    return { name: '?', kind: '?', apiKey: 'unknown', problem: (error as Error).message };
  }
  const report = await describeProfile(settingsStore, settings);
  return warnings.length > 0 ? { ...report, settingsWarnings: warnings } : report;
}

async function describeProfile(settingsStore: ReturnType<typeof createSettingsStore>, settings: Settings): Promise<ProfileReport> {
  const name = settings.activeProfile;
  const profile = settings.profiles[name];
  const described: ProfileReport =
    isKnownProfile(profile) && profile.kind === 'cloud'
      ? { name, kind: 'cloud', apiUrl: profile.apiUrl, ...(profile.target ? { target: profile.target } : {}), apiKey: 'keychain' }
      : { name, kind: profile?.kind ?? '?', apiKey: profile?.kind === 'local' ? 'none needed' : 'unknown' };
  try {
    const resolved = await resolveProfile({ settings: settingsStore, secrets: createKeyringSecretStore(), env: process.env });
    if (resolved.kind === 'local') return described;
    if (resolved.source === 'env') {
      return {
        name: resolved.name,
        kind: 'cloud',
        apiUrl: resolved.apiUrl,
        ...(resolved.target ? { target: resolved.target } : {}),
        apiKey: 'environment',
        note: `${process.env.DAYTONA_API_URL?.trim() ? 'DAYTONA_API_KEY and DAYTONA_API_URL are' : 'DAYTONA_API_KEY is'} set in this environment: commands run from it use that instead of profile '${name}' (unset ${process.env.DAYTONA_API_URL?.trim() ? 'both' : 'it'} to use the profile).`,
      };
    }
    return described;
  } catch (error) {
    if (error instanceof ProfileError)
      return { ...described, apiKey: error.code === 'no-api-key' ? 'missing' : described.apiKey, problem: error.message };
    if (error instanceof SecretStoreError) return { ...described, apiKey: 'unknown', problem: error.message };
    return { ...described, apiKey: 'unknown', problem: (error as Error).message };
  }
}

async function serverReport(): Promise<ServerReport> {
  const runtimeFile = runtimeFilePath();
  const info = await readRuntimeFile(runtimeFile);
  if (!info) return { state: 'not running', runtimeFile, note: "Start the tray app, or run 'daytona-tray mcp --http'." };
  const where = { url: info.url, port: info.port, pid: info.pid, startedAt: info.startedAt };
  if (!processAlive(info.pid) || !looksLikeOurServer(info.pid, info.startedAt)) {
    return {
      state: 'not running',
      runtimeFile,
      note: `The runtime file was left by a server (pid ${info.pid}) that has exited (a crash or a kill); the next start replaces it.`,
    };
  }
  try {
    const response = await fetch(`http://127.0.0.1:${info.port}/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    await response.body?.cancel();
    if (response.ok) return { state: 'running', runtimeFile, ...where };
    return { state: 'not responding', runtimeFile, ...where, note: `/health answered HTTP ${response.status}.` };
  } catch (error) {
    const why = (error as Error).name === 'TimeoutError' ? `no answer within ${HEALTH_TIMEOUT_MS / 1000} s` : (error as Error).message;
    return {
      state: 'not responding',
      runtimeFile,
      ...where,
      note: `/health: ${why}. If the tray app is running, it restarts the server; otherwise stop pid ${info.pid}.`,
    };
  }
}

export function formatStatus(profile: ProfileReport, server: ServerReport, clients: ClientStatus[]): string {
  const lines: string[] = [];
  const where =
    profile.kind === 'cloud'
      ? ` (cloud, ${profile.apiUrl}${profile.target ? `, target ${profile.target}` : ''})`
      : profile.kind === 'local'
        ? ' (the embedded local provider)'
        : ` (${profile.kind})`;
  const key = {
    keychain: '; API key in the OS keychain',
    environment: '; API key from DAYTONA_API_KEY',
    missing: '; no API key stored',
    unknown: '; API key: could not check the keychain',
    'none needed': '',
  }[profile.apiKey];
  lines.push(`Profile:     ${profile.name}${where}${key}`);
  for (const text of [profile.problem, profile.note, ...(profile.settingsWarnings ?? [])]) if (text) lines.push(`             ${text}`);

  const state =
    server.state === 'running'
      ? `running at ${server.url} (pid ${server.pid}, since ${server.startedAt})`
      : server.state === 'not responding'
        ? `not responding at ${server.url} (pid ${server.pid})`
        : 'not running';
  lines.push(`MCP server:  ${state}`);
  if (server.note) lines.push(`             ${server.note}`);

  lines.push('Clients:');
  const width = Math.max(...clients.map((client) => client.id.length));
  for (const client of clients) {
    lines.push(`  ${client.id.padEnd(width)}  ${client.installed || client.entry !== 'absent' ? describeState(client) : 'not installed'}`);
  }
  for (const client of clients) if (client.problem) lines.push('', `${client.name}: ${client.problem}`);
  return lines.join('\n');
}
