import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { WINDOW_CSP } from '../../preload/window-csp.ts';

/** The window's origin: a privileged custom scheme instead of file:// (Electron security checklist item 18). */
export const RENDERER_SCHEME = 'daytona-tray';
export const RENDERER_HOST = 'renderer';
export const RENDERER_URL = `${RENDERER_SCHEME}://${RENDERER_HOST}/index.html`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** The content type of a built file, from its extension (module scripts need a JavaScript type). */
export function contentTypeOf(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file a `daytona-tray://renderer/…` request names inside the built renderer folder, or undefined when
 * it names anything else (another host, `..` out of the folder, an encoded separator, a NUL).
 */
export function rendererFileFor(requestUrl: string, rendererDir: string): string | undefined {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== `${RENDERER_SCHEME}:` || url.host !== RENDERER_HOST) return undefined;
  return rendererFileForPath(url.pathname, rendererDir);
}

/**
 * The file a URL path (still percent-encoded, as in `URL.pathname`) names inside the built renderer folder,
 * or undefined when it would leave it. Shared by the Electron scheme and the web shell's server.
 */
export function rendererFileForPath(pathname: string, rendererDir: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.includes('\\') || path.split('/').includes('..')) return undefined;
  const relative = path === '/' ? 'index.html' : path.replace(/^\/+/, '');
  const root = normalize(rendererDir);
  const file = normalize(join(root, relative));
  return file.startsWith(root.endsWith(sep) ? root : `${root}${sep}`) ? file : undefined;
}

/**
 * Answers one request of the renderer scheme from the built files, with the content type set from the
 * extension (module scripts need a JavaScript type) and the window's Content-Security-Policy (preload/window-csp.ts).
 * Never lists a folder, never serves outside it.
 */
export async function serveRendererRequest(requestUrl: string, rendererDir: string): Promise<Response> {
  const file = rendererFileFor(requestUrl, rendererDir);
  if (!file) return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  try {
    const body = await readFile(file);
    return new Response(body, {
      status: 200,
      headers: {
        'content-type': contentTypeOf(file),
        'content-security-policy': WINDOW_CSP,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      },
    });
  } catch {
    return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
}
