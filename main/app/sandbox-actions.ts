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
}

export interface SandboxActionsOptions {
  /** The profile's Daytona client; its timeout policy gives start/stop/delete the long deadline. */
  api: Pick<DaytonaApi, 'startSandbox' | 'stopSandbox' | 'deleteSandbox' | 'signedPreviewUrl'>;
  /** Told before a stop or delete goes out, so the watcher does not take it for an auto-stop (and alert). */
  noteRequested(id: string, action: RequestedAction): void;
  /** After each action: list again so the window shows the new state without waiting for a poll. */
  afterChange?(): void;
}

const PREVIEW_EXPIRES_SECONDS = 3600;
const previewSchema = z.looseObject({ url: z.url() });

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
  };
}
