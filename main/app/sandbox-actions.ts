import { z } from 'zod';
import type { DaytonaApi } from '../core/daytona-api/daytona-api.ts';
import type { RequestedAction } from '../core/watcher/sandbox-diff.ts';

/** What the window's sandbox buttons do, on the active profile's Daytona API (cloud or the local provider). */
export interface SandboxActions {
  start(id: string): Promise<void>;
  stop(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  /** A preview URL for a port that opens in a browser as it is (signed: the token is in the URL, valid 1 h). */
  previewUrl(id: string, port: number): Promise<string>;
  /** The ssh command line (argv) of fresh SSH access to the sandbox: it holds a token, so it goes to a terminal, never a log. */
  sshCommand(id: string): Promise<string[]>;
}

export interface SandboxActionsOptions {
  /** The profile's Daytona client; its timeout policy gives start/stop/delete the long deadline. */
  api: Pick<DaytonaApi, 'startSandbox' | 'stopSandbox' | 'deleteSandbox' | 'signedPreviewUrl' | 'createSshAccess'>;
  /** Told before a stop or delete goes out, so the watcher does not take it for an auto-stop (and alert). */
  noteRequested(id: string, action: RequestedAction): void;
  /** After each action: list again so the window shows the new state without waiting for a poll. */
  afterChange?(): void;
}

const PREVIEW_EXPIRES_SECONDS = 3600;
const previewSchema = z.looseObject({ url: z.url() });
/** Long enough to connect and reconnect within a working session; the token is not kept anywhere. */
const SSH_EXPIRES_MINUTES = 60;
// `ssh <token>@<host>` with maybe options: plain words only, so a server's answer cannot smuggle shell syntax in.
const sshSchema = z.looseObject({ sshCommand: z.string().regex(/^ssh( [A-Za-z0-9_@.:=,/+-]+)+$/) });

/**
 * Start, stop, delete and preview through the SDK's REST client (the calls `Sandbox.start/stop/delete` make,
 * without waiting for the new state: the watcher shows it). Failures throw HttpError / NetworkError, which
 * the IPC registry turns into messages for the window.
 */
export function createSandboxActions(options: SandboxActionsOptions): SandboxActions {
  const { api } = options;
  const changed = () => options.afterChange?.();

  return {
    async start(id) {
      await api.startSandbox(id);
      changed();
    },
    async stop(id) {
      options.noteRequested(id, 'stop');
      await api.stopSandbox(id);
      changed();
    },
    async remove(id) {
      options.noteRequested(id, 'delete');
      await api.deleteSandbox(id);
      changed();
    },
    async previewUrl(id, port) {
      const parsed = previewSchema.safeParse(await api.signedPreviewUrl(id, port, PREVIEW_EXPIRES_SECONDS));
      if (!parsed.success) throw new Error(`Daytona answered the preview request for port ${port} without a URL`);
      return parsed.data.url;
    },
    async sshCommand(id) {
      const parsed = sshSchema.safeParse(await api.createSshAccess(id, SSH_EXPIRES_MINUTES));
      // The answer holds the token: the error names neither it nor the command.
      if (!parsed.success) throw new Error('Daytona answered the SSH access request without a usable ssh command');
      return parsed.data.sshCommand.split(' ');
    },
  };
}
