import { randomBytes } from 'node:crypto';
import type { Daytona, PtyHandle } from '@daytonaio/sdk';
import { ProfileError, resolveProfile } from '../core/profile.ts';
import { createKeyringSecretStore } from '../core/secrets/keyring-secret-store.ts';
import { SecretStoreError } from '../core/secrets/secret-store.ts';
import { createSettingsStore } from '../core/settings/settings-store.ts';
import { parseCommandArgs } from './command-kit.ts';

const HELP = `Usage: daytona-tray shell <sandbox id or name> [--cwd DIR] [--profile NAME]

Opens an interactive shell in a started sandbox on a terminal of its own (a Daytona PTY session), attached to
this terminal: what you type goes to the sandbox, the window's size follows yours, and the command exits with
the shell's exit code. The session is ended when the shell exits or this command is stopped.
  --cwd DIR        start in DIR (default the sandbox's home)
  --profile NAME   use this profile instead of the active one

Like 'daytona-tray mcp', it uses DAYTONA_API_KEY (with DAYTONA_API_URL, default the cloud) when set;
otherwise the active profile from the settings and its API key from the OS keychain. The local provider runs
inside the tray: open its sandboxes' terminals from the tray ("Open terminal"), which passes its address.`;

/** How long connecting may take before the command gives up (each SDK call has its own timeout too). */
const REQUEST_TIMEOUT_MS = 30_000;

/** Exit codes: the shell's own, 1 could not connect (no key, no such sandbox, not started), 2 bad usage. */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    'shell',
    argv,
    { cwd: { type: 'string' }, profile: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    HELP,
    { min: 1, max: 1 },
  );
  if ('exit' in parsed) return parsed.exit;
  const target = parsed.positionals[0]!;
  let profile;
  try {
    profile = await resolveProfile(
      { settings: createSettingsStore(), secrets: createKeyringSecretStore(), env: process.env },
      parsed.values.profile,
    );
  } catch (error) {
    if (error instanceof ProfileError || error instanceof SecretStoreError) return fail(error.message);
    throw error;
  }
  if (profile.kind === 'local') {
    return fail(
      `profile '${profile.name}' is the local provider, which runs inside the tray: open the sandbox's terminal from the tray ` +
        "(its row's \"Open terminal\"), or start a provider with 'daytona-tray local --json' and pass what it prints as " +
        'DAYTONA_API_URL and DAYTONA_API_KEY.',
    );
  }
  const { Daytona } = await import('@daytonaio/sdk');
  const daytona = new Daytona({
    apiKey: profile.apiKey,
    apiUrl: profile.apiUrl,
    ...(profile.target ? { target: profile.target } : {}),
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  try {
    return await attach(daytona, target, parsed.values.cwd, [profile.apiKey]);
  } finally {
    await daytona[Symbol.asyncDispose]().catch(() => {});
  }
}

async function attach(daytona: Daytona, target: string, cwd: string | undefined, secrets: string[]): Promise<number> {
  const clean = (error: unknown) =>
    secrets.reduce((text, secret) => text.split(secret).join('***'), (error as Error)?.message ?? String(error));
  let sandbox;
  try {
    sandbox = await daytona.get(target);
  } catch (error) {
    return fail(`could not find sandbox '${target}': ${clean(error)}`);
  }
  if (sandbox.state !== 'started')
    return fail(
      `sandbox '${target}' is ${sandbox.state ?? 'not started'}: start it first (the tray, or the start_sandbox tool), then retry.`,
    );

  const stdin = process.stdin;
  const stdout = process.stdout;
  const size = () => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  const id = `daytona-tray-shell-${randomBytes(6).toString('hex')}`;
  let handle: PtyHandle;
  try {
    handle = await sandbox.process.createPty({
      id,
      ...size(),
      ...(cwd ? { cwd } : {}),
      envs: { TERM: process.env.TERM || 'xterm-256color' },
      onData: (data) => {
        stdout.write(data);
      },
    });
  } catch (error) {
    return fail(`could not open a terminal in sandbox '${target}': ${clean(error)}`);
  }

  // Raw mode: every key (Ctrl-C, Ctrl-D, arrows) goes to the sandbox's shell, which echoes and interprets it.
  const raw = stdin.isTTY === true;
  if (raw) stdin.setRawMode(true);
  const onInput = (chunk: Buffer) => {
    handle.sendInput(new Uint8Array(chunk)).catch(() => {});
  };
  stdin.on('data', onInput);
  stdin.resume();
  const onResize = () => {
    const { cols, rows } = size();
    handle.resize(cols, rows).catch(() => {});
  };
  stdout.on('resize', onResize);
  // The terminal window closed (SIGHUP) or we were asked to stop: end the session in the sandbox too.
  let stoppedBy: NodeJS.Signals | undefined;
  const onStop = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    handle.kill().catch(() => handle.disconnect());
  };
  for (const signal of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) process.on(signal, onStop);
  try {
    const result = await handle.wait();
    if (stoppedBy) return 128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as Record<string, number>)[stoppedBy]!;
    if (result.exitCode === undefined) return fail(`the connection to sandbox '${target}' ended: ${result.error ?? 'no exit code'}`);
    return result.exitCode;
  } catch (error) {
    return fail(`the terminal in sandbox '${target}' failed: ${clean(error)}`);
  } finally {
    for (const signal of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) process.off(signal, onStop);
    stdout.off('resize', onResize);
    stdin.off('data', onInput);
    if (raw) stdin.setRawMode(false);
    stdin.pause();
    await handle.disconnect();
  }
}

function fail(message: string): number {
  process.stderr.write(`daytona-tray shell: ${message}\n`);
  return 1;
}
