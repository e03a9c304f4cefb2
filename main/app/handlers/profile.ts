import { loginWithApiKey, logoutProfile, useLocalProfile } from '../../core/profile.ts';
import { isKnownProfile, type Settings } from '../../core/settings/settings-schema.ts';
import type { ProfileView } from '../../../preload/contract.ts';
import { fail, ok, type HandlerContext, type HandlersOf } from './context.ts';

type ProfileMethods = 'saveApiKey' | 'removeApiKey' | 'useLocalProvider' | 'switchProfile' | 'updateProfile';

/**
 * First run and profiles: store or remove a key (checked against the API first; the keychain only), choose
 * the local provider, switch or edit a profile. After each, the session, the server and the snapshot follow.
 */
export function createProfileHandlers(ctx: HandlerContext, options: { onProfileChanged(): void }): HandlersOf<ProfileMethods> {
  const { settings: store, session, supervisor } = ctx;

  async function profileChanged(): Promise<ProfileView> {
    ctx.store.set({ firstRun: false });
    await ctx.store.reloadSettings();
    await session.reload();
    void supervisor.refresh().catch((error: unknown) => ctx.log(`supervisor refresh failed: ${(error as Error).message}`));
    options.onProfileChanged();
    return ctx.store.rebuild().profile;
  }

  return {
    async saveApiKey(request) {
      const { settings } = await store.load();
      const active = settings.profiles[settings.activeProfile];
      const name = request.profile ?? (isKnownProfile(active) && active.kind === 'cloud' ? settings.activeProfile : 'cloud');
      const result = await loginWithApiKey(
        { settings: store, secrets: ctx.secrets, ...(ctx.checkApiKey ? { check: ctx.checkApiKey } : {}) },
        {
          name,
          apiKey: request.apiKey,
          ...(request.apiUrl ? { apiUrl: request.apiUrl } : {}),
          ...(request.target ? { target: request.target } : {}),
        },
      );
      if (!result.ok)
        return fail(
          result.reason === 'server' || result.reason === 'malformed' || result.reason === 'not-daytona' ? 'failed' : result.reason,
          result.message,
        );
      return ok(await profileChanged());
    },

    async removeApiKey(request) {
      await logoutProfile({ settings: store, secrets: ctx.secrets }, request.profile);
      return ok(await profileChanged());
    },

    async useLocalProvider() {
      await useLocalProfile(store);
      return ok(await profileChanged());
    },

    async switchProfile({ profile }) {
      const { settings } = await store.load();
      const target = settings.profiles[profile];
      if (!target) return fail('not-found', `There is no profile '${profile}'. Add an API key to create one.`);
      if (!isKnownProfile(target))
        return fail('unsupported', `Profile '${profile}' is of kind '${target.kind}', which this version cannot use.`);
      await store.update((s) => {
        s.activeProfile = profile;
      });
      return ok(await profileChanged());
    },

    async updateProfile(request) {
      const { settings } = await store.load();
      const name = request.profile ?? settings.activeProfile;
      const profile = settings.profiles[name];
      if (!profile) return fail('not-found', `There is no profile '${name}'.`);
      if (!isKnownProfile(profile) || profile.kind !== 'cloud')
        return fail('unsupported', `Profile '${name}' is not a Daytona Cloud profile: it has no API URL or region.`);
      await store.update((s) => {
        const next = { ...s.profiles[name]! } as Record<string, unknown>;
        if (request.apiUrl !== undefined) next.apiUrl = request.apiUrl;
        if (request.target === null) delete next.target;
        else if (request.target !== undefined) next.target = request.target;
        s.profiles[name] = next as Settings['profiles'][string];
      });
      return ok(await profileChanged());
    },
  };
}
