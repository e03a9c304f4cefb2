import type { CallToolResult, ContentBlock, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ToolGroup } from '../core/settings/settings-schema.ts';
import type { CallContext } from './call-context.ts';
import type { DaytonaPort } from './daytona-port.ts';
import type { Logger } from './log.ts';

/** Tools come in groups a user can switch off (clients cap the tool count: Cursor 40-80, Windsurf 50-100). */
export { TOOL_GROUPS, type ToolGroup } from '../core/settings/settings-schema.ts';

export interface Limits {
  /** Largest file file_download returns inline; bigger ones need `localPath`. */
  maxInlineBytes: number;
  /** Longest command/code output returned; the middle of a longer one is cut. */
  maxOutputChars: number;
  /** How often a running tool call renews its sandbox's activity (0: never); well under Daytona's 1-minute minimum auto-stop. */
  activityRefreshMs: number;
  /** Pace of progress notifications for a client that asked for them (a few seconds: clients reset a 60 s timeout on each). */
  progressMs: number;
  /** A command still running after this long, for a client that asked for no progress, is handed off (below clients' 60 s). */
  handoffMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxInlineBytes: 1024 * 1024,
  maxOutputChars: 100_000,
  activityRefreshMs: 20_000,
  progressMs: 5_000,
  handoffMs: 45_000,
};

export interface ToolDeps {
  daytona: DaytonaPort;
  log: Logger;
  limits: Limits;
  /** The one folder on this computer that `localPath` transfers may use (settings, read per call). */
  transferFolder(): Promise<string>;
}

/** What a tool returns: readable text, plus fields for programs when there are some. */
export interface ToolOutcome {
  text: string;
  structured?: Record<string, unknown>;
  /** Extra content after the text (an image a download returned). */
  content?: ContentBlock[];
}

export interface ToolDefinition<Shape extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  group: ToolGroup;
  title: string;
  description: string;
  input: Shape;
  /** Declared only when every success carries these fields (the SDK then validates them). */
  output?: z.ZodRawShape;
  annotations: ToolAnnotations;
  /** `call` carries the client's cancellation and its progress token (long tools use both). */
  run(args: z.infer<z.ZodObject<Shape>>, deps: ToolDeps, call: CallContext): Promise<ToolOutcome>;
}

/** Keeps each tool file typed against its own input shape. */
export function defineTool<Shape extends z.ZodRawShape>(definition: ToolDefinition<Shape>): ToolDefinition<Shape> {
  return definition;
}

export function toResult(outcome: ToolOutcome): CallToolResult {
  return {
    content: [{ type: 'text', text: outcome.text }, ...(outcome.content ?? [])],
    ...(outcome.structured ? { structuredContent: outcome.structured } : {}),
  };
}

export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

// ── schema pieces shared by the tools ──

export const sandboxId = () =>
  z.string().trim().min(1).max(256).describe('The sandbox id (or name), as create_sandbox or list_sandboxes returned it.');

export const sandboxPath = (what: string) =>
  z.string().min(1).max(4096).describe(`${what}. Absolute, or relative to the sandbox user's home directory.`);

export const timeoutSec = (defaultSec: number, maxSec: number, what: string) =>
  z
    .number()
    .int()
    .min(1)
    .max(maxSec)
    .default(defaultSec)
    .describe(`Seconds to wait for ${what} before giving up (default ${defaultSec}, max ${maxSec}).`);

export const envVars = () =>
  z
    .record(
      z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Environment variable names are letters, digits and underscores, not starting with a digit.'),
      z.string(),
    )
    .describe('Environment variables, e.g. {"NODE_ENV": "test"}.');

export const labelMap = () =>
  z.record(z.string().min(1).max(63), z.string().max(63)).describe('Labels (key/value strings), e.g. {"project": "demo"}.');

/** Shortens long command output from the middle, where it matters least, and says so. */
export function clip(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  const head = Math.floor(maxChars * 0.2);
  const tail = maxChars - head;
  const omitted = text.length - head - tail;
  return { text: `${text.slice(0, head)}\n[… ${omitted} characters omitted …]\n${text.slice(text.length - tail)}`, truncated: true };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}
