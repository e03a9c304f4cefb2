import { logoutProfile } from '../core/profile.ts';
import { createKeyringSecretStore } from '../core/secrets/keyring-secret-store.ts';
import { SecretStoreError } from '../core/secrets/secret-store.ts';
import { profileNameSchema } from '../core/settings/settings-schema.ts';
import { createSettingsStore } from '../core/settings/settings-store.ts';
import { parseCommandArgs } from './command-kit.ts';

const HELP = `Usage: daytona-tray logout [--profile NAME]

Removes the profile's API key (and any sign-in tokens) from the OS keychain.
The profile itself (API URL, target) stays in the settings.

  --profile NAME    profile to log out (default: the active profile)`;

const fail = (message: string, code = 1): number => {
  process.stderr.write(`daytona-tray logout: ${message}\n`);
  return code;
};

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('logout', argv, { profile: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, HELP);
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  if (values.profile !== undefined) {
    const nameCheck = profileNameSchema.safeParse(values.profile);
    if (!nameCheck.success) return fail(`--profile: ${nameCheck.error.issues[0]!.message}.`, 2);
  }
  try {
    const settings = createSettingsStore();
    for (const warning of (await settings.load()).warnings) process.stderr.write(`daytona-tray logout: warning: ${warning}\n`);
    const result = await logoutProfile({ settings, secrets: createKeyringSecretStore() }, values.profile);
    const name = result.name;
    if (result.local) {
      process.stdout.write(`Profile '${name}' is the local provider: it has no key to remove.\n`);
    } else if (!result.removed.apiKey && !result.removed.loginTokens) {
      process.stdout.write(`No API key was stored for profile '${name}'.\n`);
    } else {
      process.stdout.write(
        `Removed the API key${result.removed.loginTokens ? ' and sign-in tokens' : ''} of profile '${name}' from the OS keychain.\n`,
      );
      if (result.active) {
        process.stdout.write(
          `'${name}' is still the active profile: run 'daytona-tray login --profile ${name}' to add a key, or 'daytona-tray login --profile local' to use the local provider.\n`,
        );
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof SecretStoreError) return fail(`${error.message} Nothing was removed.`);
    return fail((error as Error).message);
  }
}
