import { parseArgs } from 'node:util';
import { createKeyringSecretStore } from '../core/secrets/keyring-secret-store.ts';
import { deleteProfileSecrets } from '../core/secrets/profile-secrets.ts';
import { SecretStoreError } from '../core/secrets/secret-store.ts';
import { profileNameSchema } from '../core/settings/settings-schema.ts';
import { createSettingsStore } from '../core/settings/settings-store.ts';

const HELP = `Usage: daytona-tray logout [--profile NAME]

Removes the profile's API key (and any sign-in tokens) from the OS keychain.
The profile itself (API URL, target) stays in the settings.

  --profile NAME    profile to log out (default: the active profile)`;

const fail = (message: string, code = 1): number => {
  process.stderr.write(`daytona-tray logout: ${message}\n`);
  return code;
};

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { profile: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${HELP}`, 2);
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  try {
    const { settings, warnings } = await createSettingsStore().load();
    for (const warning of warnings) process.stderr.write(`daytona-tray logout: warning: ${warning}\n`);
    const name = values.profile ?? settings.activeProfile;
    const nameCheck = profileNameSchema.safeParse(name);
    if (!nameCheck.success) return fail(`--profile: ${nameCheck.error.issues[0]!.message}.`, 2);
    if (settings.profiles[name]?.kind === 'local') {
      process.stdout.write(`Profile '${name}' is the local provider: it has no key to remove.\n`);
      return 0;
    }
    const removed = await deleteProfileSecrets(createKeyringSecretStore(), name);
    if (!removed.apiKey && !removed.loginTokens) {
      process.stdout.write(`No API key was stored for profile '${name}'.\n`);
      return 0;
    }
    process.stdout.write(`Removed the API key${removed.loginTokens ? ' and sign-in tokens' : ''} of profile '${name}' from the OS keychain.\n`);
    if (name === settings.activeProfile) {
      process.stdout.write(`'${name}' is still the active profile: run 'daytona-tray login --profile ${name}' to add a key, or 'daytona-tray login --profile local' to use the local provider.\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof SecretStoreError) return fail(`${error.message} Nothing was removed.`);
    return fail((error as Error).message);
  }
}
