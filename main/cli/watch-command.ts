import { createAlertPolicy } from '../core/alerts/alert-policy.ts';
import type { Alert } from '../core/alerts/alert-types.ts';
import { fetchDaytonaConfig } from '../core/daytona-config.ts';
import { createDaytonaApi } from '../core/daytona-api/daytona-api.ts';
import { ProfileError, resolveProfile } from '../core/profile.ts';
import { createKeyringSecretStore } from '../core/secrets/keyring-secret-store.ts';
import { SecretStoreError } from '../core/secrets/secret-store.ts';
import { createSettingsStore } from '../core/settings/settings-store.ts';
import type { SandboxChange } from '../core/watcher/sandbox-diff.ts';
import { createSandboxWatcher, DEFAULT_POLL_MS, type WatcherStatus } from '../core/watcher/sandbox-watcher.ts';
import { onStopSignals, parseCommandArgs } from './command-kit.ts';

const HELP = `Usage: daytona-tray watch [--json] [--poll-ms N] [--no-events]

Watches the active profile's sandboxes and prints each change and each alert (auto-stop, auto-archive,
auto-delete, errors) as it happens, until SIGINT/SIGTERM.
  --json          one JSON object per line: {"type":"change",...}, {"type":"alert","kind":"auto-stop",...},
                  {"type":"status",...}, and {"type":"ready",...} once the first listing arrived
  --poll-ms N     list all sandboxes every N ms as the safety net under the live events (default ${DEFAULT_POLL_MS.visible})
  --no-events     poll only, without the Socket.IO event stream

Like 'daytona-tray mcp', it uses DAYTONA_API_KEY (with DAYTONA_API_URL, default the cloud) when set;
otherwise the active profile from the settings and its API key from the OS keychain.`;

/** Exit codes: 0 stopped by a signal, 1 could not watch (no key, key rejected), 2 bad usage. */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    'watch',
    argv,
    {
      json: { type: 'boolean' },
      'poll-ms': { type: 'string' },
      'no-events': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    HELP,
  );
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const pollMs = values['poll-ms'] === undefined ? DEFAULT_POLL_MS.visible : Number(values['poll-ms']);
  if (!/^\d+$/.test(values['poll-ms'] ?? '0') || pollMs < 50 || pollMs > 3_600_000)
    return fail(`--poll-ms must be a whole number of milliseconds from 50 to 3600000 (got '${values['poll-ms']}').`, 2);

  let profile;
  try {
    profile = await resolveProfile({ settings: createSettingsStore(), secrets: createKeyringSecretStore(), env: process.env });
  } catch (error) {
    if (error instanceof ProfileError || error instanceof SecretStoreError) return fail(error.message);
    throw error;
  }
  if (profile.kind === 'local') {
    return fail(
      `profile '${profile.name}' is the local provider, which runs inside the tray. Start one with 'daytona-tray local --json' ` +
        'and pass what it prints as DAYTONA_API_URL and DAYTONA_API_KEY, or use a cloud profile.',
    );
  }
  const { apiUrl, apiKey } = profile;
  // Credentials from the environment: say so up front, and on a rejected key say what to change (login cannot).
  const fromEnv = profile.source === 'env' ? await envCredentialsNote(apiUrl) : undefined;
  if (fromEnv) process.stderr.write(`daytona-tray watch: ${fromEnv.using}\n`);
  const json = values.json === true;
  const print = createPrinter(json);
  const credentials = () => ({ token: apiKey });
  const api = createDaytonaApi({ apiUrl, credentials });

  // The local provider scales its minutes for tests; idle times and deadlines follow its clock.
  let minuteMs = 60_000;
  let maxAutoArchiveMinutes: number | undefined;
  try {
    const config = await fetchDaytonaConfig(api);
    minuteMs = config.localProvider?.minuteMs ?? minuteMs;
    maxAutoArchiveMinutes = config.maxAutoArchiveInterval;
  } catch (error) {
    process.stderr.write(`daytona-tray watch: warning: ${(error as Error).message}\n`);
  }

  const watcher = createSandboxWatcher({
    apiUrl,
    credentials,
    api,
    pollMs: { visible: pollMs, hidden: pollMs },
    visible: true,
    ...(values['no-events'] ? { events: false as const } : {}),
  });
  const policy = createAlertPolicy({
    notifier: { notify: (alert) => print.alert(alert) },
    minuteMs,
    ...(maxAutoArchiveMinutes !== undefined ? { maxAutoArchiveMinutes } : {}),
  });

  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  const removeSignals = onStopSignals(() => finish(0));
  // A closed pipe (`watch --json | head`) arrives as SIGTERM (runCli's endQuietlyWhenStdoutCloses).

  let ready = false;
  let lastStatus = '';
  watcher.onChanges((changes) => {
    for (const change of changes) print.change(change);
    policy.onChanges(changes);
  });
  watcher.onStatus((status) => {
    if (!ready && status.lastListingAt !== undefined) {
      ready = true;
      print.ready(apiUrl, profile.name, watcher.sandboxes().size, status);
    }
    const key = `${status.state}|${status.events}|${status.problem?.kind ?? ''}|${status.problem?.message ?? ''}`;
    if (key !== lastStatus) {
      lastStatus = key;
      print.status(
        fromEnv && status.problem?.kind === 'unauthorized'
          ? { ...status, problem: { ...status.problem, message: fromEnv.rejected } }
          : status,
      );
    }
    if (status.state === 'unauthorized') {
      process.stderr.write(`daytona-tray watch: ${fromEnv?.rejected ?? status.problem?.message ?? 'the API refused the key.'}\n`);
      finish(1);
    }
  });

  watcher.start();
  const code = await finished;
  removeSignals();
  policy.dispose();
  await watcher.stop();
  api.close();
  return code;
}

/** What to tell the user when the key comes from DAYTONA_API_KEY rather than a profile. */
async function envCredentialsNote(apiUrl: string): Promise<{ using: string; rejected: string }> {
  const vars = process.env.DAYTONA_API_URL?.trim() ? 'DAYTONA_API_KEY and DAYTONA_API_URL' : 'DAYTONA_API_KEY';
  let profile = 'the active profile';
  try {
    profile = `profile '${(await createSettingsStore().load()).settings.activeProfile}'`;
  } catch {
    // The settings are not needed to watch; the note just names the profile less precisely.
  }
  return {
    using: `using ${vars} from the environment (${apiUrl}), not ${profile}; unset ${vars} to watch the profile.`,
    rejected:
      `${apiUrl} rejected the API key in DAYTONA_API_KEY (401). Set a valid key in DAYTONA_API_KEY, or unset ${vars} to use ${profile} ` +
      "('daytona-tray login' changes only the profiles, not the environment).",
  };
}

function fail(message: string, code = 1): number {
  process.stderr.write(`daytona-tray watch: ${message}\n`);
  return code;
}

interface Printer {
  ready(apiUrl: string, profile: string, count: number, status: WatcherStatus): void;
  change(change: SandboxChange): void;
  alert(alert: Alert): void;
  status(status: WatcherStatus): void;
}

/** JSON lines for programs, or short human lines. Never prints the API key. */
function createPrinter(json: boolean): Printer {
  const write = (line: string) => {
    if (!process.stdout.writableEnded && !process.stdout.destroyed) process.stdout.write(`${line}\n`);
  };
  const at = () => new Date().toISOString();
  const time = () => new Date().toTimeString().slice(0, 8);
  if (json) {
    const emit = (object: Record<string, unknown>) => write(JSON.stringify({ ...object, at: at() }));
    return {
      ready: (apiUrl, profile, count, status) => emit({ type: 'ready', apiUrl, profile, sandboxes: count, events: status.events }),
      change: (change) => emit({ type: 'change', ...describeChange(change) }),
      alert: (alert) =>
        emit({
          type: 'alert',
          kind: alert.kind,
          sandboxId: alert.sandboxIds[0],
          sandboxIds: alert.sandboxIds,
          title: alert.title,
          body: alert.body,
          actions: alert.actions,
          alertAt: alert.at,
        }),
      status: (status) =>
        emit({ type: 'status', state: status.state, events: status.events, ...(status.problem ? { problem: status.problem } : {}) }),
    };
  }
  return {
    ready: (apiUrl, profile, count, status) =>
      write(
        `${time()}  watching ${count} sandbox${count === 1 ? '' : 'es'} at ${apiUrl} (profile ${profile}, live events ${status.events})`,
      ),
    change(change) {
      const info = describeChange(change);
      switch (change.type) {
        case 'added':
          write(`${time()}  ${change.initial ? '=' : '+'} ${info.name} (${change.sandbox.state})`);
          break;
        case 'removed':
          write(`${time()}  - ${info.name} (deleted${change.requested ? ' by this app' : ''})`);
          break;
        case 'state':
          write(`${time()}  ${info.name}: ${change.from} -> ${change.to}${change.requested ? ' (asked by this app)' : ''}`);
          break;
        case 'resources':
          write(
            `${time()}  ${info.name}: ${change.sandbox.cpu} vCPU, ${change.sandbox.memory} GiB memory, ${change.sandbox.disk} GiB disk`,
          );
          break;
      }
    },
    alert: (alert) => write(`${time()}  ! ${alert.title}: ${alert.body}`),
    status(status) {
      if (status.problem) write(`${time()}  ${status.problem.message}`);
    },
  };
}

function describeChange(change: SandboxChange): Record<string, unknown> & { name: string } {
  switch (change.type) {
    case 'added':
      return {
        change: 'added',
        sandboxId: change.sandbox.id,
        name: change.sandbox.name,
        state: change.sandbox.state,
        initial: change.initial,
      };
    case 'removed':
      return {
        change: 'removed',
        sandboxId: change.old.id,
        name: change.old.name,
        lastState: change.old.state,
        requested: change.requested,
      };
    case 'state':
      return {
        change: 'state',
        sandboxId: change.sandbox.id,
        name: change.sandbox.name,
        from: change.from,
        to: change.to,
        requested: change.requested,
      };
    case 'resources': {
      const { cpu, gpu, memory, disk } = change.sandbox;
      return {
        change: 'resources',
        sandboxId: change.sandbox.id,
        name: change.sandbox.name,
        cpu,
        gpu,
        memory,
        disk,
        old: { cpu: change.old.cpu, gpu: change.old.gpu, memory: change.old.memory, disk: change.old.disk },
      };
    }
  }
}
