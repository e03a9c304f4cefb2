import { processAlive } from '../../core/process-alive.ts';
import { readRuntimeFile } from '../../core/runtime-file.ts';
import { createHttpUpstream } from './http-upstream.ts';
import type { MessageSink, Upstream } from './upstream.ts';

/** Finds the HTTP server through its runtime file; a file left by a dead process is ignored. */
export async function discoverHttpUpstream(
  runtimeFile: string,
  onMessage: MessageSink,
  skip: string | undefined,
  tools?: readonly string[],
): Promise<Upstream | undefined> {
  const info = await readRuntimeFile(runtimeFile);
  if (!info || !processAlive(info.pid)) return undefined;
  const name = `the ${info.shared ? 'shared' : "tray's"} MCP server, pid ${info.pid}`;
  const upstream = createHttpUpstream({ url: info.url, token: info.token, name, onMessage, ...(tools ? { tools } : {}) });
  if (upstream.identity === skip) {
    await upstream.close();
    return undefined;
  }
  return upstream;
}
