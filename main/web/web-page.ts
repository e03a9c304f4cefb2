/** Where the page finds the web preload (served from out/web-preload/, outside the renderer's folder). */
export const WEB_PRELOAD_PATH = '/web-preload.js';

const CSP_META = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"\s*\/?>/i;

/**
 * The Electron window's Content-Security-Policy, read from the built index.html (one source for both
 * shells), with the one difference the web shell needs: the window has no network at all (`connect-src
 * 'none'`), while the page must reach its own WebSocket, and nothing else.
 */
export function webCsp(indexHtml: string, host: string): string {
  const match = CSP_META.exec(indexHtml);
  if (!match?.[1])
    throw new Error('out/renderer/index.html has no Content-Security-Policy meta tag: rebuild the renderer (npm run build).');
  const directives = match[1]
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .filter((part) => !/^connect-src\b/i.test(part));
  return [...directives, `connect-src ws://${host}`].join('; ');
}

/**
 * The renderer's index.html as the web shell serves it: the web preload runs first (a classic script before
 * the renderer's module script), and the meta policy is the web one, so the page's own WebSocket is allowed.
 */
export function webIndexHtml(indexHtml: string, host: string): string {
  const csp = webCsp(indexHtml, host);
  const withCsp = indexHtml.replace(CSP_META, `<meta http-equiv="Content-Security-Policy" content="${csp}" />`);
  const moduleScript = withCsp.search(/<script\s+type="module"/i);
  if (moduleScript < 0) throw new Error('out/renderer/index.html has no module script: rebuild the renderer (npm run build).');
  return `${withCsp.slice(0, moduleScript)}<script src=".${WEB_PRELOAD_PATH}"></script>\n    ${withCsp.slice(moduleScript)}`;
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
