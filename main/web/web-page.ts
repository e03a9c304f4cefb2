import { windowCspConnectingTo } from '../../preload/window-csp.ts';

/** Where the page finds the web preload (served from out/web-preload/, outside the renderer's folder). */
export const WEB_PRELOAD_PATH = '/web-preload.js';

/**
 * The window's Content-Security-Policy (preload/window-csp.ts) with the one difference the web shell needs: the window
 * has no network at all (`connect-src 'none'`), while the page must reach its own WebSocket, and nothing else.
 */
export function webCsp(host: string): string {
  return windowCspConnectingTo(`ws://${host}`);
}

/**
 * The renderer's index.html as the web shell serves it: the web preload runs first (a classic script before
 * the renderer's module script). Its policy comes in the response's header (securityHeaders).
 */
export function webIndexHtml(indexHtml: string): string {
  const moduleScript = indexHtml.search(/<script\s+type="module"/i);
  if (moduleScript < 0) throw new Error('out/renderer/index.html has no module script: rebuild the renderer (npm run build).');
  return `${indexHtml.slice(0, moduleScript)}<script src=".${WEB_PRELOAD_PATH}"></script>\n    ${indexHtml.slice(moduleScript)}`;
}

/**
 * Headers on every answer: no caching, no sniffing, no referrer (a link once carried a token), and no framing
 * (a browser page can be framed where a BrowserWindow cannot; only a header can forbid it).
 */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'content-security-policy': `${csp}; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-store',
  };
}

/** A small page for refusals (wrong link, foreign address): plain text in HTML, no script. */
export function refusalPage(title: string, message: string): string {
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1><p>${escape(message)}</p></body></html>\n`;
}
