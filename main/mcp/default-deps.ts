import type { Logger } from './log.ts';
import { envProfileSource, type ProfileSource } from './profile-source.ts';
import { createSdkDaytona } from './sdk-daytona.ts';
import { settingsProfileFallback } from './settings-profile.ts';
import type { ServerDeps } from './server.ts';
import { TOOL_GROUPS, type Limits, type ToolGroup } from './tool-kit.ts';

export const DISABLED_GROUPS_ENV = 'DAYTONA_TRAY_MCP_DISABLED_GROUPS';
/** How often a running tool call renews its sandbox's activity, in ms (tests with a scaled clock shorten it). */
export const ACTIVITY_MS_ENV = 'DAYTONA_TRAY_MCP_ACTIVITY_MS';

/** Pace of progress notifications, in ms (tests shorten it). */
export const PROGRESS_MS_ENV = 'DAYTONA_TRAY_MCP_PROGRESS_MS';
/** When a command is handed off to the background for a client that asked for no progress, in ms (tests shorten it). */
export const HANDOFF_MS_ENV = 'DAYTONA_TRAY_MCP_HANDOFF_MS';

function msFromEnv(env: NodeJS.ProcessEnv, name: string, key: keyof Limits): Partial<Limits> {
  const value = Number(env[name]);
  return env[name] && Number.isInteger(value) && value >= 0 ? { [key]: value } : {};
}

function limitsFromEnv(env: NodeJS.ProcessEnv): Partial<Limits> {
  return {
    ...msFromEnv(env, ACTIVITY_MS_ENV, 'activityRefreshMs'),
    ...msFromEnv(env, PROGRESS_MS_ENV, 'progressMs'),
    ...msFromEnv(env, HANDOFF_MS_ENV, 'handoffMs'),
  };
}

/** `"git, preview"` -> the groups left on. Unknown names are an error that lists the valid ones. */
export function enabledGroups(disabledSpec: string | undefined): ToolGroup[] {
  const disabled = (disabledSpec ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const unknown = disabled.filter((name) => !(TOOL_GROUPS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown tool group${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `'${name}'`).join(', ')}: the groups are ${TOOL_GROUPS.join(', ')}`,
    );
  }
  return TOOL_GROUPS.filter((group) => !disabled.includes(group));
}

/**
 * The groups one client's session gets: those its bridge asked for (`bridge --tools`), among those the server
 * offers (settings can switch groups off for every client). Unknown names are an error that lists the valid ones.
 */
export function sessionGroups(offered: Iterable<ToolGroup> | undefined, asked: readonly string[] | undefined): ToolGroup[] {
  const on = new Set(offered ?? TOOL_GROUPS);
  if (asked === undefined) return TOOL_GROUPS.filter((group) => on.has(group));
  const unknown = asked.filter((name) => !(TOOL_GROUPS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(`unknown tool group${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: the groups are ${TOOL_GROUPS.join(', ')}`);
  }
  return TOOL_GROUPS.filter((group) => on.has(group) && asked.includes(group));
}

export interface DefaultDepsOptions {
  env?: NodeJS.ProcessEnv;
  log: Logger;
  /** Comma-separated groups to leave out (the CLI flag); the environment variable adds to it. */
  disabledGroups?: string;
  /** Where a profile comes from when the environment names none (default: settings + keychain). */
  profileFallback?: ProfileSource['active'];
}

/** The server's dependencies as the CLI and the bridge's fallback build them: env profile, SDK port, groups. */
export function defaultServerDeps(options: DefaultDepsOptions): ServerDeps & { profiles: ProfileSource; dispose(): Promise<void> } {
  const env = options.env ?? process.env;
  const groups = enabledGroups([options.disabledGroups, env[DISABLED_GROUPS_ENV]].filter(Boolean).join(','));
  const fromSettings = options.profileFallback ? undefined : settingsProfileFallback({ log: options.log });
  const profiles = envProfileSource(env, options.profileFallback ?? fromSettings?.active);
  const daytona = createSdkDaytona({ profiles, log: options.log });
  return {
    daytona,
    profiles,
    log: options.log,
    groups,
    limits: limitsFromEnv(env),
    async dispose() {
      await daytona.dispose();
      await fromSettings?.dispose();
    },
  };
}
