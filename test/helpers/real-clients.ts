import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';

/**
 * Where the tests find the real AI clients that npm ships. Most are pinned devDependencies of the project;
 * Qwen Code and OpenCode cannot be (test/real-clients/package.json says why), so `.ci/run` installs them into
 * test/real-clients/node_modules (git-ignored) with the command below.
 */
export const INSTALL_REAL_CLIENTS = 'npm install --prefix test/real-clients --no-save --no-audit --no-fund';
const OUTSIDE_LOCKFILE = new Set(['qwen', 'opencode']);

/** The absolute path of a client's program (`gemini`, `qwen`, ...) in the folder npm installs it to. */
export function clientProgram(program: string): string {
  const dir = OUTSIDE_LOCKFILE.has(program) ? join(REPO_ROOT, 'test', 'real-clients') : REPO_ROOT;
  return join(dir, 'node_modules', '.bin', program);
}

/** Why some of these programs cannot run here (not installed, and how to install them), or undefined when all can. */
export function missingClientsReason(programs: readonly string[]): string | undefined {
  const missing = programs.filter((program) => !existsSync(clientProgram(program)));
  if (missing.length === 0) return undefined;
  return `${missing.join(' and ')} not installed in test/real-clients (install with \`${INSTALL_REAL_CLIENTS}\`)`;
}
