import { z } from 'zod';
import type { SandboxInfo } from '../daytona-port.ts';

/** The fields a sandbox tool returns as structured content (also its output schema). */
export const sandboxShape = {
  id: z.string(),
  name: z.string(),
  state: z.string(),
  cpu: z.number(),
  gpu: z.number(),
  memory: z.number().describe('GiB'),
  disk: z.number().describe('GiB'),
  labels: z.record(z.string(), z.string()),
  public: z.boolean(),
  target: z.string(),
  snapshot: z.string().optional(),
  autoStopInterval: z.number().optional().describe('minutes idle before auto-stop; 0 = never'),
  autoPauseInterval: z.number().optional().describe('minutes idle before auto-pause; 0 = never'),
  autoDestroyAt: z.string().optional().describe('when the TTL deletes the sandbox, whatever its state'),
  autoArchiveInterval: z.number().optional(),
  autoDeleteInterval: z.number().optional(),
  createdAt: z.string().optional(),
  lastActivityAt: z.string().optional(),
  updatedAt: z.string().optional().describe('when the sandbox last changed, its state included'),
  errorReason: z.string().optional(),
};

export function sandboxRecord(info: SandboxInfo): Record<string, unknown> {
  return { ...info };
}

/** One readable line: id, name, state, size and auto-stop. */
export function describeSandbox(info: SandboxInfo): string {
  const size = `${info.cpu} vCPU, ${info.memory} GiB memory, ${info.disk} GiB disk${info.gpu ? `, ${info.gpu} GPU` : ''}`;
  const autoStop =
    info.autoStopInterval === undefined
      ? ''
      : info.autoStopInterval === 0
        ? '; never auto-stops'
        : `; auto-stops after ${info.autoStopInterval} min idle`;
  const autoPause = info.autoPauseInterval ? `; auto-pauses after ${info.autoPauseInterval} min idle` : '';
  const ttl = info.autoDestroyAt ? `; deleted at ${info.autoDestroyAt} (TTL)` : '';
  const name = info.name && info.name !== info.id ? ` (${info.name})` : '';
  return `Sandbox ${info.id}${name} is ${info.state}: ${size}${autoStop}${autoPause}${ttl}.`;
}
