import { request, type IncomingMessage } from 'node:http';
import type { LookupFunction, Socket } from 'node:net';

/**
 * Resolves every name to 127.0.0.1, as browsers and curl do for names under .localhost (RFC 6761); Node's
 * resolver asks the system, which may not know them.
 */
export const localhostLookup = ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;

/** GET `url` (a preview URL) with `headers`; the status and body, or the error's code when nothing answers. */
export function previewGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, lookup: localhostLookup, timeout: 15_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Opens a streamed GET and resolves with the response once its headers arrive. */
export function previewStream(url: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, lookup: localhostLookup, timeout: 15_000 }, resolve);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Sends an Upgrade request to `url`; resolves with the upgraded socket and the status line's code. */
export function previewUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; socket: Socket | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Connection: 'Upgrade', Upgrade: 'echo', ...headers }, lookup: localhostLookup, timeout: 15_000 });
    req.on('upgrade', (res, socket) => resolve({ status: res.statusCode ?? 0, socket }));
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, socket: undefined });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}
