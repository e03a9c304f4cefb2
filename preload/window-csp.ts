/**
 * The window's Content-Security-Policy: its own scripts and styles only, images from itself or data: URLs (the
 * desktop thumbnails), no network, no base or form targets. Both shells send it as a response header with the
 * page (main/app/renderer-protocol.ts for Electron's scheme; main/web/web-page.ts for the web shell, which
 * allows its own socket instead of no network), and so does `vite preview` (renderer/vite.config.ts). Here, beside
 * the contract, because main/ and the renderer's build both need it.
 *
 * A header, not a `<meta http-equiv>` in index.html: Chromium's preload scanner issues no fetch for a page
 * whose HTML holds a CSP meta tag until the main parser has reached and applied it
 * (https://github.com/GoogleChrome/lighthouse/issues/13004, https://crbug.com/1458493), which held back the
 * window's script and stylesheet requests by 30 to 45 ms on every open (docs/performance.md, "The window").
 */
const DIRECTIVES: readonly string[] = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
];

/** The policy as the Electron window gets it. */
export const WINDOW_CSP = DIRECTIVES.join('; ');

/** The same policy with `connect-src` replaced: the web shell's page must reach its own WebSocket, and nothing else. */
export function windowCspConnectingTo(connectSrc: string): string {
  return DIRECTIVES.map((directive) => (directive.startsWith('connect-src ') ? `connect-src ${connectSrc}` : directive)).join('; ');
}
