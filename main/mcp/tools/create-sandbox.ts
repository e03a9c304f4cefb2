import { z } from 'zod';
import { cancelled, withProgress } from '../call-context.ts';
import { ToolFailure } from '../errors.ts';
import { defineTool, envVars, labelMap, timeoutSec } from '../tool-kit.ts';
import { describeSandbox, sandboxRecord, sandboxShape } from './sandbox-format.ts';

export const createSandbox = defineTool({
  name: 'create_sandbox',
  group: 'sandbox',
  title: 'Create a sandbox',
  description:
    'Creates a Daytona sandbox and returns once it is started, with its id: pass that id to every other tool. ' +
    'With `id`, reuses that sandbox instead (started again if it was stopped). Sandboxes stop by themselves after ' +
    '`autoStopInterval` idle minutes (default 15), or pause after `autoPauseInterval`; start_sandbox brings one back. ' +
    '`ttlMinutes` deletes it that many minutes after creation, whatever its state. It sends progress while it waits; ' +
    'a cancelled call deletes the sandbox it was creating.',
  input: {
    id: z
      .string()
      .trim()
      .min(1)
      .optional()
      .describe('Reuse this existing sandbox (id or name) instead of creating one; it is started if needed.'),
    name: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{1,63}$/, 'A sandbox name is 1-63 letters, digits, dots, underscores or hyphens.')
      .optional()
      .describe('A name for the new sandbox: 1-63 of A-Z a-z 0-9 . _ - (unique in the organization); Daytona picks one when omitted.'),
    snapshot: z
      .string()
      .min(1)
      .optional()
      .describe('Snapshot to create from (the default snapshot when neither snapshot nor image is given).'),
    image: z.string().min(1).optional().describe('Container image to build from, e.g. "python:3.12-slim" (instead of a snapshot).'),
    language: z.enum(['python', 'typescript', 'javascript']).default('python').describe('Language code_run uses in this sandbox.'),
    user: z.string().min(1).optional().describe('OS user inside the sandbox.'),
    env: envVars().optional(),
    labels: labelMap().optional(),
    public: z.boolean().optional().describe('Make preview links reachable without a token.'),
    cpu: z.number().int().min(1).optional().describe('vCPUs.'),
    gpu: z.number().int().min(0).optional().describe('GPUs.'),
    memory: z.number().int().min(1).optional().describe('Memory in GiB.'),
    disk: z.number().int().min(1).optional().describe('Disk in GiB.'),
    target: z.string().trim().min(1).optional().describe("Region to create the sandbox in (default: the profile's)."),
    autoStopInterval: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Minutes of inactivity before the sandbox stops (0 = never; default 15, or 0 when autoPauseInterval is set).'),
    autoPauseInterval: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Minutes of inactivity before the sandbox pauses (0 = never); at most one of it and autoStopInterval is non-zero.'),
    ttlMinutes: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Minutes from now until the sandbox is deleted, whatever its state (0 = no limit).'),
    autoArchiveInterval: z.number().int().min(0).optional().describe('Minutes stopped before it is archived (0 = the maximum).'),
    autoDeleteInterval: z
      .number()
      .int()
      .min(-1)
      .optional()
      .describe('Minutes stopped before it is deleted (-1 = never, 0 = right after stopping).'),
    volumes: z
      .array(
        z.object({
          volumeId: z.string().min(1),
          mountPath: z.string().min(1).describe('Absolute path inside the sandbox.'),
          subpath: z.string().optional().describe('A folder inside the volume to mount instead of all of it.'),
        }),
      )
      .optional()
      .describe('Volumes to mount in the sandbox.'),
    buildInfo: z
      .object({
        dockerfileContent: z.string().min(1).describe('A Dockerfile to build the sandbox from.'),
        contextHashes: z.array(z.string()).optional().describe('Not supported here: leave out (no build context can be uploaded).'),
      })
      .optional()
      .describe('Build the sandbox from a Dockerfile (instead of snapshot or image).'),
    networkBlockAll: z.boolean().optional().describe('Block all network access from the sandbox.'),
    networkAllowList: z.string().optional().describe('Comma-separated CIDRs the sandbox may reach (others blocked).'),
    timeout: timeoutSec(120, 1800, 'the sandbox to start'),
  },
  output: sandboxShape,
  annotations: { title: 'Create a sandbox', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(args, { daytona, limits }, call) {
    if (args.id) {
      const existing = await daytona.getSandbox(args.id);
      const sandbox = existing.state === 'started' ? existing : await daytona.startSandbox(args.id, args.timeout);
      return { text: `Reusing sandbox. ${describeSandbox(sandbox)}`, structured: sandboxRecord(sandbox) };
    }
    if ([args.snapshot, args.image, args.buildInfo].filter(Boolean).length > 1) {
      throw new ToolFailure(
        'invalid',
        'Give one of `snapshot`, `image` or `buildInfo`, not several: a sandbox is created from one of them.',
      );
    }
    if (args.buildInfo?.contextHashes?.length) {
      throw new ToolFailure(
        'invalid',
        'buildInfo.contextHashes are not supported: this server cannot upload a build context. Leave them out, and use a Dockerfile without COPY/ADD of local files.',
      );
    }
    if (args.autoStopInterval && args.autoPauseInterval) {
      throw new ToolFailure(
        'invalid',
        'Set at most one of autoStopInterval and autoPauseInterval to a non-zero value: a sandbox either stops or pauses when idle.',
      );
    }
    const creating = daytona.createSandbox({
      name: args.name,
      snapshot: args.snapshot,
      image: args.image,
      language: args.language,
      user: args.user,
      env: args.env,
      labels: args.labels,
      public: args.public,
      resources: { cpu: args.cpu, gpu: args.gpu, memory: args.memory, disk: args.disk },
      autoStopInterval: args.autoStopInterval ?? (args.autoPauseInterval ? 0 : 15),
      autoPauseInterval: args.autoPauseInterval,
      autoArchiveInterval: args.autoArchiveInterval,
      autoDeleteInterval: args.autoDeleteInterval,
      ttlMinutes: args.ttlMinutes,
      volumes: args.volumes,
      dockerfile: args.buildInfo?.dockerfileContent,
      target: args.target,
      networkBlockAll: args.networkBlockAll,
      networkAllowList: args.networkAllowList,
      timeoutSec: args.timeout,
    });
    const what = args.image
      ? `building image ${args.image} and starting the sandbox`
      : args.buildInfo
        ? 'building the Dockerfile and starting the sandbox'
        : 'creating and starting the sandbox';
    const sandbox = await withProgress(call, limits.progressMs, (seconds) => `${what}: ${seconds} s`, creating);
    if (call.signal.aborted) {
      // Creation cannot be interrupted through the SDK: undo it, so a cancelled call leaves no sandbox behind.
      await daytona.destroySandbox(sandbox.id, args.timeout).catch(() => {});
      throw cancelled();
    }
    return { text: `Created. ${describeSandbox(sandbox)}`, structured: sandboxRecord(sandbox) };
  },
});
