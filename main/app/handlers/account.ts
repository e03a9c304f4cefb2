import { signInProfile } from '../../core/auth/browser-login.ts';
import { SignInRequiredError } from '../../core/auth/token-manager.ts';
import type { AccountView } from '../../../preload/contract.ts';
import { toBridgeError } from '../bridge-errors.ts';
import { cloudApiUrl, dashboardUrl, fail, ok, openWebPage, profileProblem, type HandlerContext, type HandlersOf } from './context.ts';

type AccountMethods = 'openDashboard' | 'signIn' | 'cancelSignIn' | 'signOut' | 'refreshBalance';

export interface AccountPart {
  handlers: HandlersOf<AccountMethods>;
  /** The active profile changed: read its account again with the next snapshot. */
  profileChanged(): void;
  /** Cancels a sign-in in progress (at stop). */
  stop(): void;
}

/**
 * The Daytona account of the active cloud profile: browser sign-in (which gives the wallet balance), sign-out,
 * the balance and the dashboard. The account view is read again from the keychain whenever the active
 * profile changes, not on every snapshot.
 */
export function createAccountPart(ctx: HandlerContext): AccountPart {
  const { session } = ctx;
  let signing: AbortController | undefined;
  let accountFor = '';

  async function refreshAccount(): Promise<AccountView> {
    if (signing) return ctx.store.own().account;
    const profile = session.snapshot().profile;
    let next: AccountView;
    if (!profile) next = { state: 'signed-out' };
    else if (profile.kind === 'local')
      next = { state: 'unavailable', reason: 'The local provider has no Daytona account: sign-in and the balance need a cloud profile.' };
    else {
      try {
        const tokens = await session.tokens()?.current();
        next = tokens
          ? {
              state: 'signed-in',
              ...(tokens.organizationId ? { organizationId: tokens.organizationId } : {}),
              ...(tokens.expiresAt ? { expiresAt: tokens.expiresAt } : {}),
            }
          : { state: 'signed-out' };
      } catch (error) {
        next = { state: 'signed-out', ...(error instanceof SignInRequiredError ? { message: error.message } : {}) };
      }
    }
    ctx.store.set({ account: next });
    return next;
  }

  // A new profile needs its account read again (from the keychain; not on every change).
  ctx.store.onState(() => {
    const resolved = session.snapshot().profile;
    const key = resolved ? `${resolved.name}|${resolved.kind}` : '';
    if (key === accountFor) return;
    accountFor = key;
    void refreshAccount();
  });

  const handlers: HandlersOf<AccountMethods> = {
    async openDashboard({ page }) {
      if (session.snapshot().profile?.kind === 'local')
        return fail('unsupported', 'The local provider has no dashboard: sandboxes are listed here.');
      await openWebPage(ctx.desktop, dashboardUrl(session, page));
      return ok(undefined);
    },

    async signIn() {
      const apiUrl = cloudApiUrl(session);
      const profile = session.snapshot().profile;
      if (!apiUrl || !profile) return fail('unsupported', 'Sign-in needs a Daytona Cloud profile: add your API key first.');
      if (signing) return fail('busy', 'A sign-in is already open in your browser: finish or cancel it first.');
      const abort = new AbortController();
      signing = abort;
      ctx.store.set({ account: { state: 'signing-in' } });
      try {
        const signIn =
          ctx.signIn ??
          ((request) =>
            signInProfile({ ...request, secrets: ctx.secrets, openBrowser: (url) => openWebPage(ctx.desktop, url), tell: ctx.log }));
        await signIn({ profile: profile.name, apiUrl, signal: abort.signal });
      } catch (error) {
        signing = undefined;
        await refreshAccount();
        return { ok: false, error: toBridgeError(error) };
      }
      signing = undefined;
      const account = await refreshAccount();
      void session.refreshBilling();
      return ok(account);
    },

    async cancelSignIn() {
      signing?.abort();
      return ok(undefined);
    },

    async signOut() {
      const tokens = session.tokens();
      if (!tokens) return fail('unsupported', 'Nothing to sign out of: the active profile is not signed in to Daytona.');
      await tokens.signOut();
      const account = await refreshAccount();
      void session.refreshBilling();
      return ok(account);
    },

    async refreshBalance() {
      const view = await session.refreshBilling();
      if (!view) return fail('unsupported', profileProblem(session));
      ctx.store.publish();
      return ok(view);
    },
  };

  return {
    handlers,
    profileChanged() {
      accountFor = '';
    },
    stop: () => signing?.abort(),
  };
}
