import { EventEmitter } from 'node:events';
import { Readable, Writable } from 'node:stream';
import type { ChildProcess } from 'node:child_process';

/** Output held for a stream nobody reads, at most; more is dropped (the command keeps running). */
const MAX_UNREAD_BYTES = 64 * 1024 * 1024;

/** What an AgentChild sends its agent: `stdin`, `stdin-end` and signals for its command. */
export interface ChildLink {
  stdin(id: number, chunk: Buffer): void;
  stdinEnd(id: number): void;
  signal(id: number, signal: NodeJS.Signals, tree: boolean): void;
}

export type StdioMode = 'pipe' | 'ignore';

/**
 * A command the agent runs, shaped like Node's ChildProcess for the provider's callers (they listen for
 * 'spawn', 'exit', 'close' and 'error', read stdout/stderr, write stdin). `pid` is the command's pid inside
 * the sandbox, as Daytona's daemon reports it; no host process corresponds to it, so the runner's kill goes
 * through `killTree` (the agent signals the group inside), never through a host pid.
 */
export class AgentChild extends EventEmitter {
  readonly id: number;
  pid: number | undefined;
  /** The command's start time inside the sandbox (/proc), to tell it from a later process with its pid. */
  startTime: string | null = null;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  killed = false;
  readonly connected = false;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly stdio: [Writable | null, Readable | null, Readable | null];
  readonly spawnfile: string;
  readonly spawnargs: string[];
  private readonly link: ChildLink;
  private closed = false;

  constructor(id: number, argv: string[], stdio: [StdioMode, StdioMode, StdioMode], link: ChildLink) {
    super();
    this.id = id;
    this.link = link;
    this.spawnfile = argv[0] ?? '';
    this.spawnargs = argv;
    this.stdin =
      stdio[0] === 'pipe'
        ? new Writable({
            write: (chunk: Buffer, _encoding, callback) => {
              if (this.exitCode === null && this.signalCode === null) link.stdin(id, chunk);
              callback();
            },
            final: (callback) => {
              link.stdinEnd(id);
              callback();
            },
          })
        : null;
    this.stdout = stdio[1] === 'pipe' ? new Readable({ read() {} }) : null;
    this.stderr = stdio[2] === 'pipe' ? new Readable({ read() {} }) : null;
    this.stdio = [this.stdin, this.stdout, this.stderr];
  }

  /** The ChildProcess view of this object, for callers typed against Node's ChildProcess. */
  asChildProcess(): ChildProcess {
    return this as unknown as ChildProcess;
  }

  /** Signals the command itself (ChildProcess.kill). */
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.exitCode !== null || this.signalCode !== null) return false;
    this.killed = true;
    this.link.signal(this.id, signal, false);
    return true;
  }

  /** Signals the command's process group and every descendant (the runner's kill); a no-op once it exited. */
  killTree(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.exitCode !== null || this.signalCode !== null) return;
    this.killed = true;
    this.link.signal(this.id, signal, true);
  }

  ref(): void {}
  unref(): void {}

  spawned(pid: number, startTime: string | null): void {
    this.pid = pid;
    this.startTime = startTime;
    this.emit('spawn');
  }

  output(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const readable = this[stream];
    if (!readable || readable.readableEnded || readable.readableLength > MAX_UNREAD_BYTES) return;
    readable.push(chunk);
  }

  exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exitCode !== null || this.signalCode !== null) return;
    this.exitCode = code;
    this.signalCode = signal;
    this.emit('exit', code, signal);
    // As Node's ChildProcess does (flushStdio): output nobody reads is drained, so 'close' still comes.
    process.nextTick(() => {
      for (const stream of [this.stdout, this.stderr]) if (stream?.readable) stream.resume();
    });
  }

  /** Every stdio stream of the command closed: ends ours; 'close' follows once they are read to the end. */
  finished(): void {
    if (this.closed) return;
    this.closed = true;
    const streams = [this.stdout, this.stderr].filter((stream): stream is Readable => stream !== null);
    let open = streams.length;
    const done = () => {
      if (--open <= 0) this.emit('close', this.exitCode, this.signalCode);
    };
    for (const stream of streams) {
      stream.once('close', done);
      stream.push(null);
    }
    if (streams.length === 0) setImmediate(() => this.emit('close', this.exitCode, this.signalCode));
    this.stdin?.destroy();
  }

  /** The command could not start: as Node reports a failed spawn. */
  failed(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.stdin?.destroy();
    this.stdout?.destroy();
    this.stderr?.destroy();
    this.emit('error', error);
  }

  /** The agent went away under the command: it is reported killed, with why on its stderr. */
  lost(reason: string): void {
    if (this.closed) return;
    this.output('stderr', Buffer.from(`\n${reason}\n`));
    this.exited(null, 'SIGKILL');
    this.finished();
  }
}
