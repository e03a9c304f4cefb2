import type { Readable } from 'node:stream';
import type { ComputerUse } from '@daytonaio/sdk';

/** The SDK's sandbox.computerUse (mouse, keyboard, screenshot, display, recording, accessibility), as is. */
export type ComputerUseClient = ComputerUse;

/**
 * What the MCP tools need from Daytona, in their own terms. `sdk-daytona.ts` implements it over
 * `@daytonaio/sdk`; tools see only this, so they stay small and the SDK stays in one place.
 * Every method rejects with a ToolFailure whose message says what to do next.
 */
export interface DaytonaPort {
  listSandboxes(query: ListQuery): Promise<SandboxInfo[]>;
  /** Resolves once the sandbox is started. */
  createSandbox(params: CreateParams): Promise<SandboxInfo>;
  getSandbox(idOrName: string): Promise<SandboxInfo>;
  startSandbox(idOrName: string, timeoutSec: number): Promise<SandboxInfo>;
  stopSandbox(idOrName: string, timeoutSec: number): Promise<SandboxInfo>;
  /** Resolves once the sandbox has left `pausing`. */
  pauseSandbox(idOrName: string, timeoutSec: number): Promise<SandboxInfo>;
  /** A new sandbox with a copy of the sandbox's files; resolves once the fork is started. */
  forkSandbox(idOrName: string, name: string | undefined, timeoutSec: number): Promise<SandboxInfo>;
  destroySandbox(idOrName: string, timeoutSec: number): Promise<void>;
  setAutoIntervals(idOrName: string, intervals: AutoIntervals): Promise<SandboxInfo>;
  /** Counts as activity now (resets the auto-stop countdown). */
  refreshActivity(idOrName: string): Promise<void>;
  previewLink(idOrName: string, port: number, signed: { expiresInSeconds: number } | undefined): Promise<PreviewLink>;

  executeCommand(idOrName: string, command: string, options: ExecOptions): Promise<ExecResult>;
  codeRun(idOrName: string, code: string, options: CodeRunOptions): Promise<ExecResult>;

  /**
   * Starts `command` as the only running command of a session (Daytona's process sessions, runAsync), so it can be
   * followed, fed input and stopped on Daytona Cloud and on the local provider alike.
   */
  startCommand(idOrName: string, command: string): Promise<CommandRef>;
  /** The exit code, or undefined while it runs; a ToolFailure ('not-found') when its session is gone. */
  commandExitCode(idOrName: string, ref: CommandRef): Promise<number | undefined>;
  /** Everything it wrote so far. */
  commandOutput(idOrName: string, ref: CommandRef): Promise<string>;
  sendCommandInput(idOrName: string, ref: CommandRef, data: string): Promise<void>;
  /** Deletes the command's session, which kills the command with everything it started. */
  stopCommand(idOrName: string, ref: CommandRef): Promise<void>;
  /** The command has ended and its result was read: its session may serve the next command. */
  finishCommand(idOrName: string, ref: CommandRef): Promise<void>;

  /** From bytes, or from a stream (a host file the tool opened itself, so no path is opened twice). */
  uploadFile(idOrName: string, remotePath: string, source: { content: Buffer } | { stream: Readable }, transfer?: Transfer): Promise<void>;
  /** The file's bytes, or (with `localPath`) saves it there and resolves with undefined. */
  downloadFile(idOrName: string, remotePath: string, localPath?: string, transfer?: Transfer): Promise<Buffer | undefined>;
  fileInfo(idOrName: string, path: string): Promise<FileEntry>;
  /** `undefined` when nothing exists at `path` (a missing file is an answer here, not a failure). */
  fileInfoOrUndefined(idOrName: string, path: string): Promise<FileEntry | undefined>;
  listFiles(idOrName: string, path: string): Promise<FileEntry[]>;
  createFolder(idOrName: string, path: string, mode: string): Promise<void>;
  moveFile(idOrName: string, source: string, destination: string): Promise<void>;
  deleteFile(idOrName: string, path: string, recursive: boolean): Promise<void>;
  findInFiles(idOrName: string, path: string, pattern: string): Promise<ContentMatch[]>;
  findFileNames(idOrName: string, path: string, glob: string): Promise<string[]>;

  gitClone(idOrName: string, params: CloneParams): Promise<void>;
  gitStatus(idOrName: string, path: string): Promise<GitStatusInfo>;

  /**
   * Runs `fn` with the sandbox's computer-use client. Its surface is large and maps one to one onto the
   * computer_use_* tools, so the tools call it directly; failures come back described like any toolbox call.
   */
  computerUse<T>(idOrName: string, action: string, fn: (computerUse: ComputerUseClient) => Promise<T>): Promise<T>;

  /** Closes every SDK instance (its Socket.IO connection would keep the process alive for minutes). */
  dispose(): Promise<void>;
}

/** A command started by startCommand: its session and its id there. */
export interface CommandRef {
  session: string;
  commandId: string;
}

/** A file transfer's watchers: an abort stops it, and progress reports the bytes moved so far. */
export interface Transfer {
  signal?: AbortSignal;
  onProgress?(bytes: number): void;
}

export interface SandboxInfo {
  id: string;
  name: string;
  state: string;
  cpu: number;
  gpu: number;
  memory: number;
  disk: number;
  labels: Record<string, string>;
  public: boolean;
  target: string;
  snapshot?: string;
  autoStopInterval?: number;
  autoPauseInterval?: number;
  autoArchiveInterval?: number;
  autoDeleteInterval?: number;
  /** When the TTL ends (the sandbox is deleted then, whatever its state). */
  autoDestroyAt?: string;
  createdAt?: string;
  lastActivityAt?: string;
  /** When the sandbox last changed (its state, among others). */
  updatedAt?: string;
  errorReason?: string;
}

export interface ListQuery {
  labels?: Record<string, string>;
  states?: string[];
  limit: number;
}

export interface CreateParams {
  name?: string;
  snapshot?: string;
  image?: string;
  language?: 'python' | 'typescript' | 'javascript';
  user?: string;
  env?: Record<string, string>;
  labels?: Record<string, string>;
  public?: boolean;
  resources?: { cpu?: number; gpu?: number; memory?: number; disk?: number };
  autoStopInterval?: number;
  autoPauseInterval?: number;
  autoArchiveInterval?: number;
  autoDeleteInterval?: number;
  ttlMinutes?: number;
  volumes?: { volumeId: string; mountPath: string; subpath?: string | undefined }[];
  /** The region to create in, when not the profile's. */
  target?: string;
  /** A Dockerfile to build the sandbox from (instead of a snapshot or an image name). */
  dockerfile?: string;
  networkBlockAll?: boolean;
  networkAllowList?: string;
  timeoutSec: number;
}

export interface AutoIntervals {
  autoStopInterval?: number;
  autoPauseInterval?: number;
  /** Minutes from now until the sandbox is deleted whatever its state (0: no TTL). */
  ttlMinutes?: number;
  autoArchiveInterval?: number;
  autoDeleteInterval?: number;
}

export interface PreviewLink {
  url: string;
  /** For private sandboxes: send as the `x-daytona-preview-token` header (unsigned links only). */
  token?: string;
}

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutSec: number;
}

export interface CodeRunOptions {
  argv?: string[];
  env?: Record<string, string>;
  timeoutSec: number;
}

export interface ExecResult {
  exitCode: number;
  /** stdout and stderr as the sandbox interleaved them (Daytona returns one stream). */
  output: string;
}

export interface FileEntry {
  name: string;
  path?: string;
  isDir: boolean;
  size: number;
  mode: string;
  permissions: string;
  owner: string;
  group: string;
  modifiedAt: string;
}

export interface ContentMatch {
  file: string;
  line: number;
  content: string;
}

export interface CloneParams {
  url: string;
  path: string;
  branch?: string;
  commitId?: string;
  username?: string;
  password?: string;
  depth?: number;
}

export interface GitStatusInfo {
  currentBranch: string;
  ahead: number;
  behind: number;
  upstream?: string;
  detached: boolean;
  files: { name: string; staging: string; worktree: string }[];
}
