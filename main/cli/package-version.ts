import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The app's version from its package.json (two folders above this one's: the repo, or the packaged app's root). */
export function packageVersion(): string {
  try {
    const file = fileURLToPath(new URL('../../../package.json', import.meta.url));
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
