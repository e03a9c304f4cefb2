import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI, as `bin` ships it (built by the global setup). */
export const CLI = fileURLToPath(new URL('../../out/main/cli.js', import.meta.url));
