import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Image, Sandbox } from '@daytonaio/sdk';
import type { CreateParams, FileEntry, SandboxInfo } from './daytona-port.ts';
import { ToolFailure } from './errors.ts';
import { loadSdk } from './sdk-clients.ts';

// Conversions between the SDK's shapes and the port's.

/** Refuses a sandbox that is not started, saying what to do about its state. */
export function requireStarted(sandbox: Sandbox): void {
  const state = sandbox.state ?? 'unknown';
  if (state === 'started') return;
  const advice =
    state === 'starting' || state === 'restoring' || state === 'creating' || state === 'pending_build' || state === 'building_snapshot'
      ? 'it is on its way: wait a few seconds, then retry'
      : (state === 'error' || state === 'build_failed') && sandbox.recoverable
        ? `it failed${sandbox.errorReason ? ` (${sandbox.errorReason})` : ''}, recoverably: start_sandbox recovers it, then retry`
        : state === 'error' || state === 'build_failed'
          ? `it failed${sandbox.errorReason ? ` (${sandbox.errorReason})` : ''}: destroy it with destroy_sandbox and create a new one`
          : 'start it with start_sandbox, then retry';
  throw new ToolFailure('not-started', `Sandbox ${sandbox.id} is ${state}: ${advice}.`);
}

export function createRequest(params: CreateParams): Record<string, unknown> {
  const request: Record<string, unknown> = {};
  const copy = <K extends keyof CreateParams>(from: K, to: string = from) => {
    if (params[from] !== undefined) request[to] = params[from];
  };
  copy('name');
  copy('snapshot');
  copy('image');
  copy('language');
  copy('user');
  copy('env', 'envVars');
  copy('labels');
  copy('public');
  copy('autoStopInterval');
  copy('autoPauseInterval');
  copy('autoArchiveInterval');
  copy('autoDeleteInterval');
  copy('ttlMinutes');
  copy('volumes');
  copy('networkBlockAll');
  copy('networkAllowList');
  // The SDK forwards `resources` whenever the key is present, with or without an image.
  if (params.resources && Object.values(params.resources).some((value) => value !== undefined)) request.resources = params.resources;
  return request;
}

/**
 * The SDK builds an image from a Dockerfile on disk only (Image.fromDockerfile): the content goes to a file in a
 * folder of its own, removed again once read. A COPY or ADD finds nothing there: there is no build context.
 */
export async function imageFromDockerfile(content: string): Promise<Image> {
  const dir = await mkdtemp(join(tmpdir(), 'daytona-tray-dockerfile-'));
  try {
    const path = join(dir, 'Dockerfile');
    await writeFile(path, content, { mode: 0o600 });
    // The client pool's SDK build (CommonJS): the SDK tells an Image from an image name with instanceof.
    return loadSdk().Image.fromDockerfile(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function toInfo(sandbox: Sandbox): SandboxInfo {
  return {
    id: sandbox.id,
    name: sandbox.name,
    state: sandbox.state ?? 'unknown',
    cpu: sandbox.cpu,
    gpu: sandbox.gpu,
    memory: sandbox.memory,
    disk: sandbox.disk,
    labels: { ...sandbox.labels },
    public: sandbox.public,
    target: sandbox.target,
    ...(sandbox.snapshot ? { snapshot: sandbox.snapshot } : {}),
    ...(sandbox.autoStopInterval !== undefined ? { autoStopInterval: sandbox.autoStopInterval } : {}),
    ...(sandbox.autoPauseInterval !== undefined ? { autoPauseInterval: sandbox.autoPauseInterval } : {}),
    ...(sandbox.autoDestroyAt ? { autoDestroyAt: sandbox.autoDestroyAt } : {}),
    ...(sandbox.autoArchiveInterval !== undefined ? { autoArchiveInterval: sandbox.autoArchiveInterval } : {}),
    ...(sandbox.autoDeleteInterval !== undefined ? { autoDeleteInterval: sandbox.autoDeleteInterval } : {}),
    ...(sandbox.createdAt ? { createdAt: sandbox.createdAt } : {}),
    ...(sandbox.lastActivityAt ? { lastActivityAt: sandbox.lastActivityAt } : {}),
    ...(sandbox.updatedAt ? { updatedAt: sandbox.updatedAt } : {}),
    ...(sandbox.errorReason ? { errorReason: sandbox.errorReason } : {}),
  };
}

export function toEntry(info: {
  name: string;
  path?: string;
  isDir: boolean;
  size: number;
  mode: string;
  permissions: string;
  owner: string;
  group: string;
  modifiedAt?: string;
  modTime?: string;
}): FileEntry {
  return {
    name: info.name,
    ...(info.path ? { path: info.path } : {}),
    isDir: info.isDir,
    size: info.size,
    mode: info.mode,
    permissions: info.permissions,
    owner: info.owner,
    group: info.group,
    modifiedAt: info.modifiedAt ?? info.modTime ?? '',
  };
}
