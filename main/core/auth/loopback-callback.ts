import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodedError } from '../app-error.ts';

export const CALLBACK_PATH = '/callback';
export const DEFAULT_CALLBACK_TIMEOUT_MS = 5 * 60_000;
/** Never anything but loopback: the authorization code arrives here. */
const BIND_ADDRESS = '127.0.0.1';

export type SignInErrorCode = 'unavailable' | 'provider-rejected' | 'state-mismatch' | 'timeout' | 'cancelled' | 'token-exchange';

/** A sign-in that did not complete; the message is for the user (the provider's own reason where it gave one). */
export class SignInError extends CodedError<SignInErrorCode> {}

export interface CallbackServer {
  /** What the authorize request names as redirect_uri. */
  redirectUri: string;
  port: number;
  /** The authorization code, once the browser comes back with the right `state`. */
  result: Promise<{ code: string }>;
  /** Closes the server (idempotent); `result` rejects with `cancelled` if it was still waiting. */
  close(): Promise<void>;
  /** True once the server no longer listens. */
  readonly closed: boolean;
}

export interface CallbackServerOptions {
  expectedState: string;
  /** The host written into the redirect URI; the server binds 127.0.0.1 in both cases. */
  redirectHost?: '127.0.0.1' | 'localhost';
  /** 0 (default) picks a free port. */
  port?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The one-shot loopback redirect target of a native-app sign-in (RFC 8252 §7.3): listens on 127.0.0.1
 * only, answers the first request to /callback (success, provider error or state mismatch alike), and
 * closes. Other paths get a 404 and do not use it up; requests naming another Host are refused (DNS
 * rebinding cannot reach it then).
 */
export async function startCallbackServer(options: CallbackServerOptions): Promise<CallbackServer> {
  const redirectHost = options.redirectHost ?? '127.0.0.1';
  let settle: { resolve: (value: { code: string }) => void; reject: (error: SignInError) => void } | undefined;
  const result = new Promise<{ code: string }>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Whoever awaits `result` sees the rejection; this only keeps an unobserved one from crashing Node.
  result.catch(() => {});
  let closed = false;
  // Armed once the server listens; close() may run before that.
  let timer: ReturnType<typeof setTimeout> | undefined = undefined;
  let port = 0;

  const server = createServer((req, res) => handle(req, res));

  function finish(outcome: { code: string } | SignInError): void {
    if (!settle) return;
    const { resolve, reject } = settle;
    settle = undefined;
    if (outcome instanceof SignInError) reject(outcome);
    else resolve(outcome);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
    if (!allowedHosts.includes(req.headers.host ?? ''))
      return page(res, 400, 'Wrong host', 'This address only answers as 127.0.0.1 or localhost.');
    const url = new URL(req.url ?? '/', `http://${BIND_ADDRESS}:${port}`);
    if (url.pathname !== CALLBACK_PATH || req.method !== 'GET') return page(res, 404, 'Not found', 'Nothing here.');
    const params = url.searchParams;
    let outcome: { code: string } | SignInError;
    if (params.get('state') !== options.expectedState) {
      outcome = new SignInError(
        'state-mismatch',
        'The sign-in answer did not belong to this sign-in (state mismatch), so it was refused. Start sign-in again from Daytona Tray.',
      );
      page(
        res,
        400,
        'Sign-in refused',
        'This answer does not match the sign-in Daytona Tray started (state mismatch). Start sign-in again from the app.',
      );
    } else if (params.get('error')) {
      const reason = [params.get('error'), params.get('error_description')].filter(Boolean).join(': ');
      outcome = new SignInError('provider-rejected', `Daytona's sign-in provider said: ${reason}`);
      page(res, 400, 'Sign-in failed', `The sign-in provider said: ${reason}. Daytona Tray keeps working with your API key.`);
    } else if (!params.get('code')) {
      outcome = new SignInError('provider-rejected', 'The sign-in provider came back without an authorization code. Start sign-in again.');
      page(res, 400, 'Sign-in failed', 'No authorization code came back. Start sign-in again from the app.');
    } else {
      outcome = { code: params.get('code')! };
      page(res, 200, 'Signed in to Daytona', 'You can close this tab and go back to Daytona Tray.');
    }
    finish(outcome);
    // One use: close once this answer is on its way.
    res.once('finish', () => {
      void close();
    });
  }

  function close(): Promise<void> {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    finish(new SignInError('cancelled', 'Sign-in was cancelled.'));
    if (closed) return Promise.resolve();
    closed = true;
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  function onAbort(): void {
    void close();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, BIND_ADDRESS, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: NodeJS.ErrnoException) => {
    throw new SignInError(
      'unavailable',
      error.code === 'EADDRINUSE'
        ? `Port ${options.port} on 127.0.0.1 is in use, and the sign-in provider only accepts that port. Close what uses it, then sign in again.`
        : `Could not open the local sign-in callback: ${error.message}`,
    );
  });
  port = (server.address() as AddressInfo).port;
  timer = setTimeout(() => {
    finish(
      new SignInError(
        'timeout',
        `No answer from the browser within ${Math.round((options.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS) / 60_000)} min. If the sign-in page showed an error (such as a rejected redirect or client), that is the reason; otherwise start sign-in again.`,
      ),
    );
    void close();
  }, options.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS);
  if (options.signal?.aborted) await close();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    redirectUri: `http://${redirectHost}:${port}${CALLBACK_PATH}`,
    port,
    result,
    close,
    get closed() {
      return closed;
    },
  };
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const body =
    `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head>` +
    `<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto"><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    // The code is in this URL: do not send it onwards as a referrer.
    'referrer-policy': 'no-referrer',
  });
  res.end(body);
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
