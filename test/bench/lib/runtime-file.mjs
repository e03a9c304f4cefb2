import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The runtime file `mcp --http` writes in `dir`, once it names `pid` (polled; 30 s at most). */
export async function waitForRuntimeFile(pid, dir) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const info = JSON.parse(await readFile(join(dir, 'mcp-server.json'), 'utf8'));
      if (info.pid === pid) return info;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error('the MCP HTTP server did not write its runtime file within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
