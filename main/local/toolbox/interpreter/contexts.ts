import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { ApiError, badRequest, notFound } from '../../errors.ts';
import { RUNNING_STATES, type SandboxRecord } from '../../sandbox-record.ts';
import { spawnInSandbox, type SandboxExec } from '../run-command.ts';
import { NO_PYTHON, sandboxPython } from './python.ts';
import { WORKER_SOURCE } from './worker-source.ts';

/** A chunk of Daytona's interpreter protocol, as sent to the SDK. */
export interface Chunk {
  type: 'stdout' | 'stderr' | 'error' | 'control';
  text?: string;
  name?: string;
  value?: string;
  traceback?: string;
}

/** How an execution ended: finished (with or without an error), interrupted at its timeout, killed, or its worker died. */
export type Outcome = 'completed' | 'interrupted' | 'timeout' | 'ended';

export interface ContextInfo {
  id: string;
  cwd: string;
  createdAt: string;
  active: boolean;
  language: 'python';
}

/** Daytona's grace between the interrupt at the timeout and killing the worker (daemon interpreter gracePeriod). */
const GRACE_MS = 2000;
export const DEFAULT_CONTEXT = 'default';

/**
 * One interpreter context: a resident Python worker in the sandbox, whose globals carry over between executions.
 * Executions queue and run one at a time, as on Daytona. A worker that died (killed at a timeout, os._exit) is
 * started again by the next execution, with fresh state, as Daytona's daemon does.
 */
class Context {
  readonly info: ContextInfo;
  private worker: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private sink: ((chunk: Chunk) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private deleted = false;
  private readonly exec: SandboxExec;
  private readonly record: SandboxRecord;
  private readonly onWorkerExit: () => void;

  constructor(exec: SandboxExec, record: SandboxRecord, id: string, cwd: string, onWorkerExit: () => void) {
    this.exec = exec;
    this.record = record;
    this.onWorkerExit = onWorkerExit;
    this.info = { id, cwd, createdAt: new Date().toISOString(), active: false, language: 'python' };
  }

  /** Starts the worker unless it runs; resolves once it reads commands. */
  start(): Promise<void> {
    if (this.worker && this.info.active && this.ready) return this.ready;
    const python = sandboxPython();
    if (!python) return Promise.reject(badRequest(NO_PYTHON));
    this.ready = (async () => {
      const worker = await spawnInSandbox(this.exec, this.record, [python, '-u', '-c', WORKER_SOURCE], { cwd: this.info.cwd }, [
        'pipe',
        'pipe',
        'ignore',
      ]);
      this.worker = worker;
      this.info.active = true;
      worker.stdin?.on('error', () => {});
      const lines = createInterface({ input: worker.stdout!, crlfDelay: Infinity });
      let announce: (() => void) | undefined;
      const announced = new Promise<void>((resolve) => (announce = resolve));
      lines.on('line', (line) => {
        let chunk: Chunk;
        try {
          chunk = JSON.parse(line) as Chunk;
        } catch {
          return;
        }
        if (chunk.type === 'control' && chunk.text === 'ready') announce?.();
        else this.sink?.(chunk);
      });
      const gone = new Promise<void>((resolve) => worker.once('close', () => resolve()));
      void gone.then(() => {
        if (this.worker === worker) this.discard(worker);
        this.onWorkerExit();
      });
      await Promise.race([
        announced,
        gone.then(() => {
          throw new ApiError(500, `The Python interpreter in the sandbox exited as it started (working directory ${this.info.cwd}).`);
        }),
      ]);
    })();
    this.ready.catch(() => {
      this.ready = undefined;
    });
    return this.ready;
  }

  /** Runs code after what is queued before it; `sink` gets its chunks. A timeout of 0 means none. */
  execute(code: string, envs: Record<string, string>, timeoutMs: number, sink: (chunk: Chunk) => void): Promise<Outcome> {
    const run = this.queue.then(() => this.run(code, envs, timeoutMs, sink));
    this.queue = run.catch(() => {});
    return run;
  }

  private async run(code: string, envs: Record<string, string>, timeoutMs: number, sink: (chunk: Chunk) => void): Promise<Outcome> {
    if (this.deleted) return 'ended';
    await this.start();
    const worker = this.worker!;
    return new Promise<Outcome>((resolve) => {
      let outcome: Outcome | undefined;
      const timers: NodeJS.Timeout[] = [];
      const finish = (result: Outcome) => {
        if (outcome) return;
        outcome = result;
        for (const timer of timers) clearTimeout(timer);
        worker.off('close', onClose);
        this.sink = undefined;
        resolve(result);
      };
      const onClose = () => finish(outcome ?? 'ended');
      this.sink = (chunk) => {
        sink(chunk);
        if (chunk.type === 'control' && (chunk.text === 'completed' || chunk.text === 'interrupted')) finish(chunk.text);
      };
      worker.once('close', onClose);
      if (timeoutMs > 0) {
        timers.push(
          setTimeout(() => {
            // As the daemon does: interrupt (KeyboardInterrupt) first; code that will not stop loses its worker.
            worker.stdin?.write(`${JSON.stringify({ type: 'interrupt' })}\n`);
            timers.push(
              setTimeout(() => {
                // Forgotten at once, so the next execution starts a new worker instead of queueing for this one.
                this.discard(worker);
                finish('timeout');
              }, GRACE_MS),
            );
          }, timeoutMs),
        );
      }
      worker.stdin?.write(`${JSON.stringify({ type: 'exec', code, envs })}\n`);
    });
  }

  /** Kills a worker (if still running) and forgets it: the context is inactive until its next execution. */
  private discard(worker: ChildProcess): void {
    this.exec.runner.kill(worker, 'SIGKILL');
    if (this.worker !== worker) return;
    this.info.active = false;
    this.worker = undefined;
    this.ready = undefined;
  }

  /** Ends the worker for good (deleteContext, or the sandbox stopped). */
  shutdown(): void {
    this.deleted = true;
    if (this.worker) this.discard(this.worker);
  }
}

/** Every sandbox's interpreter contexts (Daytona's daemon keeps them per sandbox, in memory). */
export class InterpreterContexts {
  private readonly bySandbox = new Map<string, Map<string, Context>>();
  private readonly exec: SandboxExec;

  constructor(exec: SandboxExec) {
    this.exec = exec;
  }

  private of(sandboxId: string): Map<string, Context> {
    let map = this.bySandbox.get(sandboxId);
    if (!map) this.bySandbox.set(sandboxId, (map = new Map()));
    return map;
  }

  /** A new context whose worker already runs (a cwd that does not exist fails here, not on first use). */
  async create(record: SandboxRecord, cwd: string, id: string = randomUUID()): Promise<ContextInfo> {
    const context = new Context(this.exec, record, id, cwd, () => this.dropIfStopped(record.id));
    this.of(record.id).set(id, context);
    try {
      await context.start();
    } catch (error) {
      this.of(record.id).delete(id);
      context.shutdown();
      throw error;
    }
    return { ...context.info };
  }

  /** The user's contexts (the default one is left out, as Daytona does). */
  list(sandboxId: string): ContextInfo[] {
    return [...(this.bySandbox.get(sandboxId)?.values() ?? [])].filter((c) => c.info.id !== DEFAULT_CONTEXT).map((c) => ({ ...c.info }));
  }

  delete(sandboxId: string, id: string): void {
    if (id === DEFAULT_CONTEXT) throw badRequest('The default interpreter context cannot be deleted.');
    const context = this.bySandbox.get(sandboxId)?.get(id);
    if (!context) throw notFound(`Interpreter context ${id} not found: listContexts() shows the existing ones.`);
    this.bySandbox.get(sandboxId)?.delete(id);
    context.shutdown();
  }

  /** The context an execution names, or the default one (made on first use, in the sandbox's home). */
  context(record: SandboxRecord, id: string | undefined, homeDir: string): Context | undefined {
    const contexts = this.of(record.id);
    if (id !== undefined) return contexts.get(id);
    let context = contexts.get(DEFAULT_CONTEXT);
    if (!context) {
      context = new Context(this.exec, record, DEFAULT_CONTEXT, homeDir, () => this.dropIfStopped(record.id));
      contexts.set(DEFAULT_CONTEXT, context);
    }
    return context;
  }

  /** The sandbox stopped or was deleted: its contexts go with it (Daytona's daemon starts again with none). */
  forget(sandboxId: string): void {
    const contexts = this.bySandbox.get(sandboxId);
    this.bySandbox.delete(sandboxId);
    for (const context of contexts?.values() ?? []) context.shutdown();
  }

  private dropIfStopped(sandboxId: string): void {
    let running: boolean;
    try {
      running = RUNNING_STATES.has(this.exec.service.get(sandboxId).state);
    } catch {
      running = false;
    }
    if (!running) this.forget(sandboxId);
  }
}

export type { Context };
