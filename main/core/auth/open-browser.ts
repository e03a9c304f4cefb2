import { spawn } from 'node:child_process';

/**
 * The command that hands a URL to the user's default browser (the tray uses Electron's shell.openExternal
 * instead; this is for the CLI). The URL is one argv element, never a shell string.
 */
export function browserCommand(url: string, platform: NodeJS.Platform = process.platform): { command: string; args: string[] } {
  if (!/^https?:\/\//i.test(url)) throw new Error(`Refusing to open '${url}' in a browser: only http(s) URLs are opened.`);
  switch (platform) {
    case 'darwin':
      return { command: 'open', args: [url] };
    case 'win32':
      // Not `cmd /c start`: cmd would re-parse the & in the query string.
      return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
    default:
      return { command: 'xdg-open', args: [url] };
  }
}

/**
 * Opens the URL and resolves once the opener has handed it over (or failed to). Some openers stay alive
 * as long as the browser does: the child is then left to run detached, unreferenced, and still reaped by
 * Node when it exits.
 */
export function openSystemBrowser(url: string, options: { platform?: NodeJS.Platform; waitMs?: number } = {}): Promise<void> {
  const { command, args } = browserCommand(url, options.platform);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: process.platform !== 'win32' });
    const timer = setTimeout(() => {
      child.unref();
      resolve();
    }, options.waitMs ?? 3_000);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(`Could not open a browser (${command}: ${error.code ?? error.message}). Open this address yourself: ${url}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      // xdg-open exits 3 when it found no browser, 4 when the browser failed to start.
      if (code === 0 || code === null) resolve();
      else reject(new Error(`The browser opener (${command}) exited with ${code}. Open this address yourself: ${url}`));
    });
  });
}
