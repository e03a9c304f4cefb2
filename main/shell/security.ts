import { app, session, type WebContents } from 'electron';

/**
 * Hardening that applies to every web contents the app ever creates (Electron security checklist): no
 * navigation away from the window, no new windows, no <webview>, no permission (camera, notifications,
 * clipboard, geolocation...) granted to web content. Call before the first window exists.
 */
export function hardenWebContents(log: (line: string) => void): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      event.preventDefault();
      log(`blocked navigation to ${safeUrl(url)}`);
    });
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      log(`blocked a new window for ${safeUrl(url)}`);
      return { action: 'deny' };
    });
  });
  app.whenReady().then(
    () => {
      session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
      session.defaultSession.setPermissionCheckHandler(() => false);
    },
    () => {},
  );
}

/** Scheme, host and path only: a query could carry anything. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}
