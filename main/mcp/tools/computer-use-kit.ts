import { z } from 'zod';
import type { ComputerUseClient, DaytonaPort } from '../daytona-port.ts';
import { sandboxId, type ToolOutcome } from '../tool-kit.ts';

/** What every computer_use_* tool takes first: the sandbox, named `id` as in Daytona's own MCP server. */
export const desktopId = () => sandboxId().describe('The sandbox id (or name) whose desktop to use. Call computer_use_start first.');

export const coordinate = (what: string) => z.number().int().min(0).max(100_000).describe(what);

/** Runs one computer-use call on a sandbox through the SDK. */
export function withDesktop<T>(daytona: DaytonaPort, id: string, action: string, fn: (cu: ComputerUseClient) => Promise<T>): Promise<T> {
  return daytona.computerUse(id, action, fn);
}

/** A short sentence for people and models, and the SDK's answer as the structured result. */
export function answer(text: string, value: object): ToolOutcome {
  return { text: `${text}\n${JSON.stringify(value)}`, structured: { ...value } };
}

export const annotations = {
  /** Reads the desktop, changes nothing. */
  read: (title: string) => ({ title, readOnlyHint: true, openWorldHint: true }),
  /** Acts on the desktop (input, processes, recordings); idempotent when doing it twice changes nothing more. */
  act: (title: string, { destructive = false, idempotent = false } = {}) => ({
    title,
    readOnlyHint: false,
    destructiveHint: destructive,
    idempotentHint: idempotent,
    openWorldHint: true,
  }),
};
