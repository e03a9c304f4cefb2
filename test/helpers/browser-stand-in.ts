/** One visit of the stand-in browser: where it started, and what the loopback callback answered. */
export interface BrowserRun {
  authorizeUrl: URL;
  /** The callback URL the provider redirected to (before any tampering). */
  callback: URL | undefined;
  callbackStatus: number | undefined;
  callbackPage: string;
}

export interface BrowserOptions {
  /** The OIDC provider's origin: a /callback anywhere else is the app's loopback redirect. */
  issuer: string;
  /** Sees the callback URL first; returns what to load instead, or undefined to load nothing. */
  deliver?: (callback: URL) => URL | undefined;
  consent?: 'accept' | 'abort';
}

/**
 * A real HTTP client standing in for the system browser: follows redirects, keeps cookies, fills
 * oidc-provider's login and consent forms, and finally loads the callback on the app's loopback server.
 */
export async function visitAsBrowser(url: string, options: BrowserOptions): Promise<BrowserRun> {
  const run: BrowserRun = { authorizeUrl: new URL(url), callback: undefined, callbackStatus: undefined, callbackPage: '' };
  const cookies = new Map<string, string>();
  let next = new URL(url);
  let init: RequestInit = {};
  for (let step = 0; step < 20; step++) {
    if (next.pathname === '/callback' && next.origin !== options.issuer) {
      run.callback = next;
      const target = options.deliver ? options.deliver(next) : next;
      if (!target) return run;
      const response = await fetch(target, { signal: AbortSignal.timeout(10_000) });
      run.callbackStatus = response.status;
      run.callbackPage = await response.text();
      return run;
    }
    const response = await fetch(next, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
      headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, ...value] = pair!.split('=');
      cookies.set(name!.trim(), value.join('='));
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      next = new URL(location, next);
      init = {};
      continue;
    }
    const page = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    if (response.status !== 200 || !action) throw new Error(`the provider showed no form (HTTP ${response.status}): ${page.slice(0, 300)}`);
    if (options.consent === 'abort' && page.includes('value="consent"')) {
      next = new URL(`${new URL(action, next).pathname}/abort`, next);
      init = {};
      continue;
    }
    const form: Record<string, string> = page.includes('name="login"')
      ? { prompt: 'login', login: 'alice', password: 'any' }
      : { prompt: 'consent' };
    next = new URL(action.replace(/&amp;/g, '&'), next);
    init = { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error('too many steps in the sign-in flow');
}
