import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PrestartedSandbox, RunningSandbox, SandboxDirs, SandboxRunner, SandboxSpec } from './types.ts';

/** After a failed start, the pool waits this long before it tries again (a broken setup must not spin). */
const RETRY_MS = 5_000;
/** A refill waits this long after a take, so the sandbox just handed out gets the CPU first. */
const REFILL_DELAY_MS = 25;

export interface WarmPoolOptions {
  /** Where pooled sandboxes' fresh dirs are made: on the sandboxes' filesystem (they are renamed into place). */
  dir: string;
  /** How many started, unassigned sandboxes to keep; 0 keeps none. */
  size: number;
  log: (line: string) => void;
}

interface Pooled {
  sandbox: PrestartedSandbox;
  /** Its name was offered as a new sandbox's id (suggestId). */
  suggested?: boolean;
  root: string;
  dirs: SandboxDirs;
}

/**
 * Daytona's warm pool, locally: a few sandboxes started ahead of need (their namespaces, network and agent
 * up) on fresh empty dirs, none of them anyone's yet. A start takes one, renames its dirs into the new
 * sandbox's place (the bind mounts follow the directories) and gives it the sandbox's hostname and network;
 * the pool then starts another in the background. A pooled sandbox is handed out once and never comes
 * back: a stopped sandbox's namespaces end with it, so none ever holds a previous sandbox's files or
 * processes. Only for sandboxes whose dirs are still empty (a first start); others start as before.
 */
export class WarmPool {
  private readonly base: SandboxRunner;
  private readonly options: WarmPoolOptions;
  private readonly ready: Pooled[] = [];
  private target: number;
  private filling = false;
  /** The refill running now: close() waits for it, so no pooled sandbox starts after the provider stopped. */
  private refill: Promise<void> = Promise.resolve();
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private cleared: Promise<void>;
  /** Why the last refill failed, until one succeeds (the warm-pool API's errorReason). */
  errorReason: string | undefined;
  /** How many sandboxes were started from the pool (tests, the benchmark). */
  handedOut = 0;

  constructor(base: SandboxRunner, options: WarmPoolOptions) {
    this.base = base;
    this.options = options;
    this.target = base.prestart ? options.size : 0;
    // Leftovers of a provider that did not stop cleanly: their sandboxes died with it.
    this.cleared = rm(options.dir, { recursive: true, force: true }).then(async () => {
      await mkdir(options.dir, { recursive: true, mode: 0o700 });
    });
    this.schedule(0);
  }

  /** Whether this runner can keep a pool at all (bubblewrap's 'nested' layout, with the agent). */
  get supported(): boolean {
    return this.base.prestart !== undefined;
  }

  /** The size asked for. */
  get size(): number {
    return this.target;
  }

  /** Sandboxes started and waiting now. */
  get currentSize(): number {
    return this.ready.length;
  }

  /** Changes the size: extra pooled sandboxes stop now, missing ones start in the background. */
  async resize(size: number): Promise<void> {
    if (!this.supported) return;
    this.target = size;
    const extra = this.ready.splice(size);
    await Promise.all(extra.map((entry) => this.discard(entry)));
    this.schedule(0);
  }

  /** The runner the provider uses: starts take a pooled sandbox when they can. */
  runner(): SandboxRunner {
    return { ...this.base, start: (spec) => this.start(spec), suggestId: () => this.suggestId() };
  }

  /** The name of a pooled sandbox no create was offered yet: each id is suggested once, so no two sandboxes share it. */
  private suggestId(): string | undefined {
    const entry = this.ready.find((pooled) => !pooled.suggested);
    if (!entry) return undefined;
    entry.suggested = true;
    return entry.sandbox.hostname;
  }

  private async start(spec: SandboxSpec): Promise<RunningSandbox> {
    const entry = await this.take(spec);
    return entry ?? this.base.start(spec);
  }

  /**
   * A pooled sandbox made into `spec`'s, or undefined when none fits (the caller starts one as before). The
   * one named like the sandbox (its id was suggested by suggestId) is taken first: it needs no renaming.
   */
  private async take(spec: SandboxSpec): Promise<PrestartedSandbox | undefined> {
    if (this.ready.length === 0 || this.closed) return undefined;
    // Volumes are bind mounts made when a sandbox's namespaces start: a pooled one has none.
    if (spec.dirs.mounts?.length) return undefined;
    // A network policy other than open needs a network of the sandbox's own to change it later.
    if ((spec.network.blockAll || spec.network.allowList) && this.base.network !== 'own') return undefined;
    if (!(await isEmptyOrMissing(spec.dirs.home)) || !(await isEmptyOrMissing(spec.dirs.tmp))) return undefined;
    for (const dead of this.ready.filter((pooled) => !pooled.sandbox.alive)) {
      this.ready.splice(this.ready.indexOf(dead), 1);
      void this.discard(dead);
    }
    const named = this.ready.findIndex((pooled) => pooled.sandbox.hostname === spec.hostname);
    const entry = this.ready.splice(named === -1 ? 0 : named, 1)[0];
    if (!entry) return undefined;
    this.schedule(REFILL_DELAY_MS);
    try {
      // rename(2) replaces an empty directory: the sandbox's dirs become the ones its namespaces bound.
      await rename(entry.dirs.home, spec.dirs.home);
      await rename(entry.dirs.tmp, spec.dirs.tmp);
      await rmdir(entry.root).catch(() => {});
      this.handedOut++;
      await entry.sandbox.adopt(spec);
      return entry.sandbox;
    } catch (error) {
      this.options.log(
        `a warm sandbox could not be used (${error instanceof Error ? error.message : String(error)}); starting one the usual way`,
      );
      await this.discard(entry);
      return undefined;
    }
  }

  /** Stops every pooled sandbox; nothing is started any more. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    // A sandbox starting now is discarded by the refill itself once it sees `closed`.
    await this.refill;
    await Promise.all(this.ready.splice(0).map((entry) => this.discard(entry)));
    await this.cleared.catch(() => {});
    await rm(this.options.dir, { recursive: true, force: true });
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.filling) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.filling) this.refill = this.fill();
    }, delayMs);
  }

  /** Starts pooled sandboxes one at a time until there are enough. */
  private async fill(): Promise<void> {
    if (this.filling || this.closed) return;
    this.filling = true;
    try {
      await this.cleared;
      while (!this.closed && this.ready.length < this.target) {
        const entry = await this.startOne();
        if (this.closed || this.ready.length >= this.target) {
          await this.discard(entry);
          break;
        }
        this.ready.push(entry);
        void entry.sandbox.ended.then(() => {
          const index = this.ready.indexOf(entry);
          if (index === -1) return;
          this.ready.splice(index, 1);
          this.options.log('a warm sandbox ended on its own; starting another');
          void this.discard(entry);
          this.schedule(0);
        });
      }
      this.errorReason = undefined;
    } catch (error) {
      this.errorReason = error instanceof Error ? error.message : String(error);
      this.options.log(`could not start a warm sandbox (${this.errorReason}); trying again in ${RETRY_MS / 1000} s`);
      this.filling = false;
      this.schedule(RETRY_MS);
      return;
    }
    this.filling = false;
  }

  private async startOne(): Promise<Pooled> {
    const root = join(this.options.dir, randomBytes(8).toString('hex'));
    const dirs = { home: join(root, 'home'), tmp: join(root, 'tmp') };
    await mkdir(dirs.home, { recursive: true, mode: 0o755 });
    await mkdir(dirs.tmp, { mode: 0o1777 });
    await chmod(dirs.tmp, 0o1777); // mkdir's mode passes through the umask
    try {
      // Named with a fresh id: a sandbox created without a name can take that id, and this one as it is.
      const sandbox = await this.base.prestart!({ dirs, hostname: randomUUID(), network: { blockAll: false } });
      return { sandbox, root, dirs };
    } catch (error) {
      await rm(root, { recursive: true, force: true });
      throw error;
    }
  }

  private async discard(entry: Pooled): Promise<void> {
    await entry.sandbox.stop(0).catch(() => {});
    await rm(entry.root, { recursive: true, force: true });
  }
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
