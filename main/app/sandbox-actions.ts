import { z } from 'zod';
import { requestJson, type FetchLike } from '../core/watcher/http-json.ts';
import { daytonaHeaders, type DaytonaCredentials } from '../core/watcher/list-sandboxes.ts';
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
  apiUrl: string;
  credentials: () => DaytonaCredentials | Promise<DaytonaCredentials>;
  /** Told before a stop or delete goes out, so the watcher does not take it for an auto-stop (and alert). */
  noteRequested(id: string, action: RequestedAction): void;
  /** After each action: list again so the window shows the new state without waiting for a poll. */
  afterChange?(): void;
  fetch?: FetchLike;
  /** Daytona waits up to ~30 s inside start/stop before answering (docs/daytona-api.md §3). */
  timeoutMs?: number;
}

const PREVIEW_EXPIRES_SECONDS = 3600;
const previewSchema = z.looseObject({ url: z.url() });

/**
 * Start, stop, delete and preview over Daytona's REST API, the same calls the SDK makes (`POST
 * /sandbox/{id}/start|stop`, `DELETE /sandbox/{id}`, `GET …/ports/{port}/signed-preview-url`). Failures throw
 * the watcher's HttpError / NetworkError, which the IPC registry turns into messages for the window.
 */
export function createSandboxActions(options: SandboxActionsOptions): SandboxActions {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 75_000;
  const call = async (method: string, path: string): Promise<unknown> => {
    const headers = daytonaHeaders(await options.credentials());
    return requestJson(`${apiUrl}${path}`, { method, headers, timeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) });
  };
  const sandbox = (id: string) => `/sandbox/${encodeURIComponent(id)}`;
  const changed = () => options.afterChange?.();

  return {
    async start(id) {
      await call('POST', `${sandbox(id)}/start`);
      changed();
    },
    async stop(id) {
      options.noteRequested(id, 'stop');
      await call('POST', `${sandbox(id)}/stop?force=false`);
      changed();
    },
    async remove(id) {
      options.noteRequested(id, 'delete');
      await call('DELETE', sandbox(id));
      changed();
    },
    async previewUrl(id, port) {
      const body = await call('GET', `${sandbox(id)}/ports/${port}/signed-preview-url?expiresInSeconds=${PREVIEW_EXPIRES_SECONDS}`);
      const parsed = previewSchema.safeParse(body);
      if (!parsed.success) throw new Error(`Daytona answered the preview request for port ${port} without a URL`);
      return parsed.data.url;
    },
  };
}
