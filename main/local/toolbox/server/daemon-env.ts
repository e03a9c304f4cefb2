/** What POST /env asks (@daytona/toolbox-api-client UpdateEnvRequest). */
export interface EnvUpdate {
  set?: Record<string, string> | undefined;
  unset?: string[] | undefined;
  unsetValuePrefix?: string | undefined;
}

/**
 * The environment Daytona's daemon hands to what it spawns, per sandbox. It starts as the sandbox's own variables;
 * `sandbox.updateEnv()` changes it for commands, sessions, interpreters and PTYs started afterwards. Like the
 * daemon's process environment it lives in memory only: a stopped sandbox starts again with its own variables.
 */
export class DaemonEnv {
  private readonly changed = new Map<string, Record<string, string>>();

  /** The variables a new process in the sandbox gets (the sandbox's own, when never updated). */
  of(sandboxId: string, own: Record<string, string>): Record<string, string> {
    return this.changed.get(sandboxId) ?? own;
  }

  /** Applies an update in the daemon's order: unset, then unsetValuePrefix (sparing the keys of set), then set. */
  update(sandboxId: string, own: Record<string, string>, request: EnvUpdate): void {
    const env = { ...this.of(sandboxId, own) };
    for (const name of request.unset ?? []) delete env[name];
    const prefix = request.unsetValuePrefix;
    if (prefix) {
      for (const [name, value] of Object.entries(env)) if (value.startsWith(prefix) && !(name in (request.set ?? {}))) delete env[name];
    }
    Object.assign(env, request.set ?? {});
    this.changed.set(sandboxId, env);
  }

  /** The sandbox stopped (or was deleted): its next start begins from its own variables again. */
  forget(sandboxId: string): void {
    this.changed.delete(sandboxId);
  }
}
