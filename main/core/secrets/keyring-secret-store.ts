import { spawn } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { KeyringRequest } from './keyring-worker.ts';
import { redact } from '../redact.ts';
import { classifyKeychainFailure, SecretStoreError, secretStoreErrorMessage, type SecretStore } from './secret-store.ts';
import { outsideArchive } from '../app-paths.ts';

export const KEYCHAIN_SERVICE = 'Daytona Tray';
export const KEYCHAIN_TIMEOUT_MS = 5_000;

export interface KeyringSecretStoreOptions {
  /** The keychain service name every entry is filed under. */
  service?: string;
  /** Each call fails with a `timeout` error after this long (default 5 s). */
  timeoutMs?: number;
  /** Environment of the keychain child (the D-Bus session bus address lives here on Linux). */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** The program that performs one operation; the default is keyring-worker under this Node/Electron. */
  worker?: { command: string; args: string[] };
}

// The worker sits beside this module: keyring-worker.js once built, keyring-worker.ts when run from source; in a
// packaged app, its unpacked copy beside app.asar (a node-mode child never loads ES modules from the archive).
const WORKER_SCRIPT = outsideArchive(fileURLToPath(new URL(`./keyring-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url)));
const MAX_OUTPUT = 64 * 1024;

const responseSchema = z.union([
  z.object({ ok: z.literal(true), value: z.union([z.string(), z.boolean(), z.null()]) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);

/**
 * The OS keychain through @napi-rs/keyring (macOS Keychain, Windows Credential Manager, Secret Service on
 * Linux), one child process per call so that a call stuck at an unlock prompt can be abandoned: the child is
 * killed when the timeout fires and the caller gets an error that says what to do.
 */
export function createKeyringSecretStore(options: KeyringSecretStoreOptions = {}): SecretStore {
  const service = options.service ?? KEYCHAIN_SERVICE;
  const timeoutMs = options.timeoutMs ?? KEYCHAIN_TIMEOUT_MS;
  const platform = options.platform ?? process.platform;
  const worker = options.worker ?? { command: process.execPath, args: [WORKER_SCRIPT] };
  const env = { ...(options.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' };

  function run(request: KeyringRequest): Promise<string | boolean | null> {
    const secret = request.op === 'set' ? request.secret : undefined;
    const fail = (detail: string, code = classifyKeychainFailure(detail)): SecretStoreError => {
      const clean = redact(detail, [secret]);
      return new SecretStoreError(code, `${secretStoreErrorMessage(code, platform)} (keychain said: ${clean})`, clean);
    };
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const child = spawn(worker.command, worker.args, { env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        if (stdout.length < MAX_OUTPUT) stdout += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        if (stderr.length < MAX_OUTPUT) stderr += chunk;
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        settle(() => reject(new SecretStoreError('timeout', secretStoreErrorMessage('timeout', platform, timeoutMs))));
      }, timeoutMs);
      child.on('error', (error) => {
        settle(() =>
          reject(
            new SecretStoreError(
              'failed',
              `Could not start the keychain helper (${error.message}). Reinstall Daytona Tray, then try again.`,
            ),
          ),
        );
      });
      child.on('close', (code, signal) => {
        settle(() => {
          const line = stdout.trim().split('\n').pop() ?? '';
          let parsed: z.infer<typeof responseSchema> | undefined;
          try {
            parsed = responseSchema.parse(JSON.parse(line));
          } catch {
            parsed = undefined;
          }
          if (!parsed) {
            const tail = redact(stderr.trim().split('\n').slice(-3).join(' '), [secret]) || 'no output';
            reject(fail(`keychain helper ended (${signal ?? `exit ${code}`}) without an answer: ${tail}`, 'failed'));
          } else if (parsed.ok) resolve(parsed.value);
          else reject(fail(parsed.error));
        });
      });
      // The request (and, for set, the secret) goes over a pipe: never argv, never the environment.
      child.stdin.on('error', () => {}); // EPIPE when the child died first; 'close' reports it
      child.stdin.end(JSON.stringify(request));
    });
  }

  return {
    async get(account) {
      const value = await run({ op: 'get', service, account });
      return typeof value === 'string' ? value : null;
    },
    async set(account, secret) {
      if (secret.length === 0) throw new SecretStoreError('failed', 'Refusing to store an empty secret.');
      await run({ op: 'set', service, account, secret });
    },
    async delete(account) {
      return (await run({ op: 'delete', service, account })) === true;
    },
  };
}
