import { existsSync } from 'node:fs';
import type { TestContext, TestOptions } from 'vitest';
import { probeNamespaceTools } from '../../main/local/sandbox-runner/probe.ts';

/**
 * Skips that say why. Vitest's JSON report carries a test's `meta` but not the note of `ctx.skip(note)` nor
 * anything for `it.skipIf`, so a skip records its reason in `meta.skipReason`, and test/summary.mjs prints
 * one line per reason. A skip for lack of something `.ci/run` installs (its package list, the clients in test/real-clients)
 * names it in `meta.ciProvided`: in CI
 * (`CI=true`) such a skip counts as a failure, so a green CI means the isolation and keychain tests ran.
 */
export type CiProvided = 'bubblewrap' | 'keyring' | 'chromium' | 'python3' | 'pgrep' | 'desktop' | 'real-clients';

declare module 'vitest' {
  interface TaskMeta {
    skipReason?: string;
    ciProvided?: CiProvided;
  }
}

/** Options for `describe`/`it`: skip (with `reason`) when `reason` is set, else run. Suites pass the meta to their tests. */
export function skipWhen(reason: string | undefined | false, ciProvided?: CiProvided): TestOptions {
  if (!reason) return {};
  return { skip: true, meta: { skipReason: reason, ...(ciProvided ? { ciProvided } : {}) } };
}

/** Skips the running test now, with `reason` in the report (for conditions only known inside the test). */
export function skipNow(ctx: TestContext, reason: string, ciProvided?: CiProvided): never {
  ctx.task.meta.skipReason = reason;
  if (ciProvided) ctx.task.meta.ciProvided = ciProvided;
  return ctx.skip(reason);
}

/** Why sandboxes cannot be isolated with bubblewrap here, or undefined when they can. */
export function bubblewrapSkipReason(): string | undefined {
  const tools = probeNamespaceTools();
  return 'reason' in tools ? tools.reason : undefined;
}

/** Why `command` cannot run here (not on PATH's usual folders), or undefined when it can. */
export function missingCommandReason(command: string, packageHint: string): string | undefined {
  const found = ['/usr/local/bin', '/usr/bin', '/bin'].some((dir) => existsSync(`${dir}/${command}`));
  return found ? undefined : `${command} is not installed (${packageHint})`;
}
