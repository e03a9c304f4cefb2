import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Daytona, Sandbox } from '@daytonaio/sdk';
import type {
  AutoIntervals,
  CloneParams,
  ContentMatch,
  CreateParams,
  DaytonaPort,
  ExecResult,
  GitStatusInfo,
  ListQuery,
  PreviewLink,
  SandboxInfo,
  Transfer,
} from './daytona-port.ts';
import { describeFailure, ToolFailure, type FailureContext } from './errors.ts';
import type { Logger } from './log.ts';
import type { ProfileSource } from './profile-source.ts';
import { createClientPool, forget, remember, withTarget, type Client } from './sdk-clients.ts';
import { createRequest, imageFromDockerfile, requireStarted, toEntry, toInfo } from './sdk-shapes.ts';
import { sessionMethods } from './sdk-sessions.ts';

const STOPPED_ALREADY = new Set(['stopped', 'archiving', 'archived']);

export interface SdkDaytonaOptions {
  profiles: ProfileSource;
  log: Logger;
  /** HTTP deadline for SDK calls that carry no timeout of their own (the SDK's default is 24 h). */
  requestTimeoutMs?: number;
  /** Seconds allowed for one file transfer. */
  transferTimeoutSec?: number;
}

// Toolbox failures that are about the call itself, not about the sandbox being gone or stopped.
const CALL_FAILURE_CODES = /^(FILE_|INVALID_FILE_PATH|PROCESS_|GIT_|SESSION_|COMMAND_|A11Y_|RECORDING_)/;

/**
 * The Daytona port over the official SDK, one client per profile (sdk-clients.ts); failures become
 * messages that say what to do (errors.ts).
 */
export function createSdkDaytona(options: SdkDaytonaOptions): DaytonaPort {
  const transferTimeoutSec = options.transferTimeoutSec ?? 600;
  const requestTimeoutMs = options.requestTimeoutMs ?? 120_000;
  const pool = createClientPool({ profiles: options.profiles, log: options.log, requestTimeoutMs });
  const client = () => pool.client();

  function context(c: Client, action: string, extra: Partial<FailureContext> = {}): FailureContext {
    return { action, apiUrl: c.profile.apiUrl, ...extra, secrets: [c.profile.apiKey, ...(extra.secrets ?? [])] };
  }

  /** Runs a main-API call, mapping failures to actionable messages. */
  async function api<T>(action: string, sandbox: string | undefined, fn: (c: Client) => Promise<T>): Promise<T> {
    const c = await client();
    try {
      return await fn(c);
    } catch (error) {
      throw describeFailure(error, context(c, action, sandbox === undefined ? {} : { sandbox }));
    }
  }

  async function fetchSandbox(c: Client, idOrName: string, action: string): Promise<Sandbox> {
    try {
      return remember(c, idOrName, await c.daytona.get(idOrName));
    } catch (error) {
      throw describeFailure(error, context(c, action, { sandbox: idOrName }));
    }
  }

  /**
   * Runs a toolbox call on a started sandbox. A cached sandbox is used as is (one request per call);
   * when the call fails for a reason that is not about the call itself, the sandbox is looked up again
   * so the message can say "it is stopped: start it" or "it no longer exists" instead of a proxy error.
   */
  async function toolbox<T>(idOrName: string, action: string, fn: (sandbox: Sandbox) => Promise<T>, secrets: string[] = []): Promise<T> {
    const c = await client();
    let sandbox = c.sandboxes.get(idOrName);
    if (!sandbox) {
      sandbox = await fetchSandbox(c, idOrName, action);
      requireStarted(sandbox);
    }
    try {
      return await fn(sandbox);
    } catch (error) {
      const shape = error as { statusCode?: number; code?: string };
      const aboutTheCall = CALL_FAILURE_CODES.test(shape.code ?? '') || [401, 403, 408, 413, 429].includes(shape.statusCode ?? 0);
      if (!aboutTheCall) {
        forget(c, sandbox);
        requireStarted(await fetchSandbox(c, idOrName, action));
      }
      // A path outside what the sandbox user may touch: the message says where the home directory is.
      const home = shape.statusCode === 403 ? await sandbox.getUserHomeDir().catch(() => undefined) : undefined;
      throw describeFailure(error, context(c, action, { sandbox: idOrName, toolbox: true, secrets, ...(home ? { home } : {}) }));
    }
  }

  return {
    listSandboxes: (query: ListQuery) =>
      api('list sandboxes', undefined, async (c) => {
        const items: SandboxInfo[] = [];
        const iterator = c.daytona.list({
          limit: Math.min(Math.max(query.limit, 1), 100),
          ...(query.labels ? { labels: query.labels } : {}),
          ...(query.states ? { states: query.states as never } : {}),
        });
        for await (const sandbox of iterator) {
          items.push(toInfo(sandbox));
          if (items.length >= query.limit) break;
        }
        return items;
      }),

    createSandbox: (params: CreateParams) =>
      api('create the sandbox', undefined, async (c) => {
        const request = createRequest(params);
        if (params.dockerfile !== undefined) request.image = await imageFromDockerfile(params.dockerfile);
        const create = (daytona: Daytona) => daytona.create(request as never, { timeout: params.timeoutSec });
        const sandbox =
          params.target === undefined ? await create(c.daytona) : await withTarget(c, params.target, requestTimeoutMs, create);
        if (params.target === undefined) remember(c, sandbox.id, sandbox);
        if (sandbox.state !== 'started') {
          throw new ToolFailure(
            'failed',
            `Sandbox ${sandbox.id} was created but is ${sandbox.state}${sandbox.errorReason ? ` (${sandbox.errorReason})` : ''}: check it with list_sandboxes, or destroy it and retry.`,
          );
        }
        return toInfo(sandbox);
      }),

    getSandbox: (idOrName) =>
      api('look up the sandbox', idOrName, async (c) => toInfo(remember(c, idOrName, await c.daytona.get(idOrName)))),

    startSandbox: (idOrName, timeoutSec) =>
      api(`start sandbox ${idOrName}`, idOrName, async (c) => {
        const sandbox = remember(c, idOrName, await c.daytona.get(idOrName));
        // Daytona refuses start for a sandbox in error; recover() is its way back when the error allows it.
        if (sandbox.state === 'error' && sandbox.recoverable) await sandbox.recover(timeoutSec);
        else if (sandbox.state !== 'started') await sandbox.start(timeoutSec);
        return toInfo(sandbox);
      }),

    stopSandbox: (idOrName, timeoutSec) =>
      api(`stop sandbox ${idOrName}`, idOrName, async (c) => {
        const sandbox = remember(c, idOrName, await c.daytona.get(idOrName));
        // Archived (or on its way) is stopped already: Daytona would refuse the stop of an archived sandbox.
        if (!STOPPED_ALREADY.has(sandbox.state ?? '')) await sandbox.stop(timeoutSec);
        return toInfo(sandbox);
      }),

    pauseSandbox: (idOrName, timeoutSec) =>
      api(`pause sandbox ${idOrName}`, idOrName, async (c) => {
        const sandbox = remember(c, idOrName, await c.daytona.get(idOrName));
        if (sandbox.state !== 'paused') await sandbox.pause(timeoutSec);
        return toInfo(sandbox);
      }),

    forkSandbox: (idOrName, name, timeoutSec) =>
      api(`fork sandbox ${idOrName}`, idOrName, async (c) => {
        const source = remember(c, idOrName, await c.daytona.get(idOrName));
        const forked = await source.fork(name === undefined ? {} : { name }, timeoutSec);
        remember(c, forked.id, forked);
        return toInfo(forked);
      }),

    destroySandbox: (idOrName, timeoutSec) =>
      api(`destroy sandbox ${idOrName}`, idOrName, async (c) => {
        const sandbox = await c.daytona.get(idOrName);
        forget(c, sandbox);
        await sandbox.delete(timeoutSec, true);
      }),

    setAutoIntervals: (idOrName, intervals: AutoIntervals) =>
      api(`change the auto-stop settings of sandbox ${idOrName}`, idOrName, async (c) => {
        const sandbox = remember(c, idOrName, await c.daytona.get(idOrName));
        // At most one of auto-stop and auto-pause is on: the one switched off goes first.
        const stopFirst = intervals.autoStopInterval === 0 || intervals.autoPauseInterval === undefined;
        if (!stopFirst && intervals.autoPauseInterval !== undefined) await sandbox.setAutoPauseInterval(intervals.autoPauseInterval);
        if (intervals.autoStopInterval !== undefined) await sandbox.setAutostopInterval(intervals.autoStopInterval);
        if (stopFirst && intervals.autoPauseInterval !== undefined) await sandbox.setAutoPauseInterval(intervals.autoPauseInterval);
        if (intervals.ttlMinutes !== undefined) await sandbox.setTtl(intervals.ttlMinutes);
        if (intervals.autoArchiveInterval !== undefined) await sandbox.setAutoArchiveInterval(intervals.autoArchiveInterval);
        if (intervals.autoDeleteInterval !== undefined) await sandbox.setAutoDeleteInterval(intervals.autoDeleteInterval);
        await sandbox.refreshData();
        return toInfo(sandbox);
      }),

    refreshActivity: (idOrName) =>
      api(`refresh the activity of sandbox ${idOrName}`, idOrName, async (c) => {
        const sandbox = c.sandboxes.get(idOrName) ?? remember(c, idOrName, await c.daytona.get(idOrName));
        await sandbox.refreshActivity();
      }),

    previewLink: (idOrName, port, signed): Promise<PreviewLink> =>
      api(`get a preview link for port ${port}`, idOrName, async (c) => {
        const sandbox = c.sandboxes.get(idOrName) ?? remember(c, idOrName, await c.daytona.get(idOrName));
        if (signed) return { url: (await sandbox.getSignedPreviewUrl(port, signed.expiresInSeconds)).url };
        const link = await sandbox.getPreviewLink(port);
        return { url: link.url, ...(link.token ? { token: link.token } : {}) };
      }),

    executeCommand: (idOrName, command, exec): Promise<ExecResult> =>
      toolbox(idOrName, `run the command in sandbox ${idOrName}`, async (sandbox) => {
        const result = await sandbox.process.executeCommand(command, exec.cwd, exec.env, exec.timeoutSec);
        return { exitCode: result.exitCode, output: result.result };
      }),

    codeRun: (idOrName, code, run): Promise<ExecResult> =>
      toolbox(idOrName, `run the code in sandbox ${idOrName}`, async (sandbox) => {
        const result = await sandbox.process.codeRun(
          code,
          { ...(run.argv ? { argv: run.argv } : {}), ...(run.env ? { env: run.env } : {}) },
          run.timeoutSec,
        );
        return { exitCode: result.exitCode, output: result.result };
      }),

    ...sessionMethods(toolbox),

    uploadFile: (idOrName, remotePath, source, transfer) =>
      toolbox(idOrName, `upload ${remotePath} to sandbox ${idOrName}`, async (sandbox) => {
        const watch = transferOptions(transferTimeoutSec, transfer);
        await sandbox.fs.uploadFileStream('content' in source ? source.content : source.stream, remotePath, {
          ...watch,
          ...(transfer?.onProgress ? { onProgress: (p: { bytesSent: number }) => transfer.onProgress!(p.bytesSent) } : {}),
        });
      }),

    downloadFile: (idOrName, remotePath, localPath, transfer) =>
      toolbox(idOrName, `download ${remotePath} from sandbox ${idOrName}`, async (sandbox) => {
        // The stream form takes an AbortSignal (a cancelled call stops the transfer) and reports bytes as they come.
        const stream = await sandbox.fs.downloadFileStream(remotePath, {
          ...transferOptions(transferTimeoutSec, transfer),
          ...(transfer?.onProgress ? { onProgress: (p: { bytesReceived: number }) => transfer.onProgress!(p.bytesReceived) } : {}),
        });
        if (localPath === undefined) return Buffer.concat((await stream.toArray()) as Buffer[]);
        await pipeline(stream, createWriteStream(localPath));
        return undefined;
      }),

    fileInfo: (idOrName, path) =>
      toolbox(idOrName, `read the details of ${path} in sandbox ${idOrName}`, async (sandbox) =>
        toEntry(await sandbox.fs.getFileDetails(path)),
      ),

    fileInfoOrUndefined: (idOrName, path) =>
      toolbox(idOrName, `read the details of ${path} in sandbox ${idOrName}`, async (sandbox) => {
        try {
          return toEntry(await sandbox.fs.getFileDetails(path));
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode === 404) return undefined;
          throw error;
        }
      }),

    listFiles: (idOrName, path) =>
      toolbox(idOrName, `list ${path} in sandbox ${idOrName}`, async (sandbox) => (await sandbox.fs.listFiles(path)).map(toEntry)),

    createFolder: (idOrName, path, mode) =>
      toolbox(idOrName, `create the folder ${path} in sandbox ${idOrName}`, (sandbox) => sandbox.fs.createFolder(path, mode)),

    moveFile: (idOrName, source, destination) =>
      toolbox(idOrName, `move ${source} to ${destination} in sandbox ${idOrName}`, (sandbox) => sandbox.fs.moveFiles(source, destination)),

    deleteFile: (idOrName, path, recursive) =>
      toolbox(idOrName, `delete ${path} in sandbox ${idOrName}`, (sandbox) => sandbox.fs.deleteFile(path, recursive)),

    findInFiles: (idOrName, path, pattern): Promise<ContentMatch[]> =>
      toolbox(idOrName, `search the files under ${path} in sandbox ${idOrName}`, async (sandbox) =>
        (await sandbox.fs.findFiles(path, pattern)).map((match) => ({ file: match.file, line: match.line, content: match.content })),
      ),

    findFileNames: (idOrName, path, glob) =>
      toolbox(
        idOrName,
        `search the file names under ${path} in sandbox ${idOrName}`,
        async (sandbox) => (await sandbox.fs.searchFiles(path, glob)).files,
      ),

    gitClone: (idOrName, clone: CloneParams) =>
      toolbox(
        idOrName,
        `clone ${clone.url} into sandbox ${idOrName}`,
        (sandbox) =>
          sandbox.git.clone(clone.url, clone.path, clone.branch, clone.commitId, clone.username, clone.password, undefined, clone.depth),
        [clone.password, clone.username].filter((value): value is string => Boolean(value)),
      ),

    gitStatus: (idOrName, path): Promise<GitStatusInfo> =>
      toolbox(idOrName, `read the git status of ${path} in sandbox ${idOrName}`, async (sandbox) => {
        const status = await sandbox.git.status(path);
        return {
          currentBranch: status.currentBranch,
          ahead: status.ahead ?? 0,
          behind: status.behind ?? 0,
          ...(status.upstream ? { upstream: status.upstream } : {}),
          detached: status.detached ?? false,
          files: status.fileStatus.map((file) => ({ name: file.name, staging: String(file.staging), worktree: String(file.worktree) })),
        };
      }),

    computerUse: (idOrName, action, fn) => toolbox(idOrName, `${action} in sandbox ${idOrName}`, (sandbox) => fn(sandbox.computerUse)),

    dispose: () => pool.dispose(),
  };
}

function transferOptions(timeout: number, transfer: Transfer | undefined): { timeout: number; signal?: AbortSignal } {
  return { timeout, ...(transfer?.signal ? { signal: transfer.signal } : {}) };
}
