import { CLIENT_IDS, type ClientId, type ToolGroup } from '../../../preload/contract.ts';
import type { StaleReason } from './stale-launch.ts';

// The one list of AI clients is the window's contract (the floor below main/core); core re-exports it.
export { CLIENT_IDS, type ClientId };

/** Every client gets one entry under this name. */
export const ENTRY_NAME = 'daytona';

export function isClientId(value: string): value is ClientId {
  return (CLIENT_IDS as readonly string[]).includes(value);
}

/** Where a client keeps its user-level MCP config on this host, and whether the client seems installed. */
export interface ClientLocation {
  configPath: string;
  installed: boolean;
  /** Other files the client has read on this OS (e.g. Claude Desktop's classic path after the MSIX move). */
  otherPaths: string[];
  /** Why this path was chosen, when there was a choice. */
  note?: string;
}

export interface ClientStatus {
  id: ClientId;
  name: string;
  installed: boolean;
  configPath: string;
  /** `ours`: a Daytona Tray bridge entry; `foreign`: a `daytona` entry someone else wrote. */
  entry: 'absent' | 'ours' | 'foreign';
  /** The entry is exactly what `setup` would write now. */
  current: boolean;
  /** The entry's command (and, for ours, its CLI script) exists; null without an entry. */
  commandExists: boolean | null;
  /** Ours, and what it starts exists: the client can reach the bridge. */
  connected: boolean;
  /** Ours, but it will not keep working (the app quits, moved or was updated): why. The app repairs it at start. */
  stale?: StaleReason;
  /** The client's own CLI (this path) that setup runs to change its config: Claude Code, Gemini CLI, Qwen Code, Codex CLI. */
  cli?: string;
  /** Why the status may be incomplete (unreadable file, ...), in words the user can act on. */
  problem?: string;
  /** The tool groups our entry asks for (`bridge --tools`), or that connecting would ask for when there is none of ours. */
  tools: ToolGroup[];
  /** The client's documented cap on tools, when it has one. */
  toolCap?: { limit: number; source: string };
}

export interface ChangeOptions {
  /** Compute and return the diff; write nothing, run nothing. */
  dryRun?: boolean;
  /** Replace or remove a `daytona` entry that is not ours. */
  force?: boolean;
  /** The tool groups the entry asks for (default: what the entry has now, else the client's preset). */
  tools?: readonly ToolGroup[];
}

export interface ChangeResult {
  id: ClientId;
  name: string;
  action: 'connected' | 'updated' | 'unchanged' | 'disconnected' | 'absent';
  dryRun: boolean;
  file: string;
  /** `cli`: the client's own command; `clipboard`: JSON to paste (JetBrains), in `clipboard`. */
  via: 'file' | 'claude-cli' | 'cli' | 'clipboard';
  /** Text the user pastes into the client (the window copies it to the clipboard, the CLI prints it). */
  clipboard?: string;
  /** A backup made by this change (only the first change to a file makes one). */
  backup?: string;
  /** Unified diff of the file (dry run, or what was written). */
  diff?: string;
  /** Commands run (or, in a dry run, that would run), for the user to see. */
  commands?: string[][];
  notes: string[];
}

export interface AiClient {
  id: ClientId;
  name: string;
  /** What the user must do after a change for the client to pick it up. */
  applyHint: string;
  locate(): ClientLocation;
  status(): Promise<ClientStatus>;
  connect(options?: ChangeOptions): Promise<ChangeResult>;
  disconnect(options?: ChangeOptions): Promise<ChangeResult>;
}

export type ClientErrorCode =
  | 'NOT_INSTALLED'
  | 'PARSE'
  | 'NOT_OBJECT'
  | 'NOT_A_FILE'
  | 'NOT_UTF8'
  | 'READ_ONLY'
  | 'NO_PARENT'
  | 'CONCURRENT_CHANGE'
  | 'FOREIGN_ENTRY'
  | 'BAD_SHAPE'
  | 'DUPLICATE_KEY'
  | 'CLI_FAILED'
  | 'NO_PROJECT_SCOPE'
  | 'IO';

/** A setup failure with a message that names the file and says what to do; nothing was changed. */
export class ClientSetupError extends Error {
  readonly code: ClientErrorCode;
  readonly file: string | undefined;

  constructor(code: ClientErrorCode, message: string, file?: string) {
    super(message);
    this.name = 'ClientSetupError';
    this.code = code;
    this.file = file;
  }
}
