import { parseArgs } from 'node:util';
import { loginWithApiKey, useLocalProfile } from '../core/profile.ts';
import { createKeyringSecretStore } from '../core/secrets/keyring-secret-store.ts';
import { readSecretInput, SecretInputError } from '../core/secrets/read-secret-input.ts';
import { redact, SecretStoreError } from '../core/secrets/secret-store.ts';
import { apiUrlSchema, CLOUD_PROFILE, DEFAULT_CLOUD_API_URL, LOCAL_PROFILE, profileNameSchema } from '../core/settings/settings-schema.ts';
import { createSettingsStore } from '../core/settings/settings-store.ts';

const HELP = `Usage: daytona-tray login [--profile NAME] [--api-url URL] [--target REGION]

Stores a Daytona API key in the OS keychain and makes its profile the active one.
The key is read from stdin when it is piped (daytona-tray login < key.txt), else from a
hidden prompt; never from the command line. It is checked against the API first: a key
the API rejects is not stored.

  --profile NAME    profile to log in (default: cloud); 'local' switches to the embedded
                    local provider, which needs no key
  --api-url URL     Daytona API URL (default: the profile's, else ${DEFAULT_CLOUD_API_URL})
  --target REGION   region for new sandboxes (default: the organization's default)`;

const fail = (message: string, code = 1): number => {
  process.stderr.write(`daytona-tray login: ${message}\n`);
  return code;
};

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { profile: { type: 'string' }, 'api-url': { type: 'string' }, target: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    // parseArgs quotes unknown arguments: never echo them, someone may have pasted the key there.
    const unknown = /Unknown option|Unexpected argument/.test((error as Error).message);
    return fail(`${unknown ? 'unexpected argument (the API key is never given on the command line: pipe it or type it at the prompt)' : (error as Error).message}\n\n${HELP}`, 2);
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const name = values.profile ?? CLOUD_PROFILE;
  const nameCheck = profileNameSchema.safeParse(name);
  if (!nameCheck.success) return fail(`--profile: ${nameCheck.error.issues[0]!.message}.`, 2);
  let apiUrl: string | undefined;
  if (values['api-url'] !== undefined) {
    const urlCheck = apiUrlSchema.safeParse(values['api-url']);
    if (!urlCheck.success) return fail(`--api-url: ${urlCheck.error.issues[0]!.message}.`, 2);
    apiUrl = urlCheck.data;
  }
  const target = values.target?.trim();
  if (target !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(target)) return fail('--target: a region name is 1-64 letters, digits, ., - or _.', 2);

  const settingsStore = createSettingsStore();
  let apiKey: string | undefined;
  try {
    const { settings, warnings } = await settingsStore.load();
    for (const warning of warnings) process.stderr.write(`daytona-tray login: warning: ${warning}\n`);
    const existing = settings.profiles[name];

    if (existing?.kind === 'local' || (!existing && name === LOCAL_PROFILE)) {
      if (apiUrl !== undefined || target !== undefined) return fail(`profile '${name}' is the local provider: --api-url and --target do not apply.`, 2);
      await useLocalProfile(settingsStore, name);
      process.stdout.write(`Active profile: ${name} (the embedded local provider; no API key needed).\n`);
      return 0;
    }
    if (existing && existing.kind !== 'cloud') return fail(`profile '${name}' is of kind '${existing.kind}', which this version cannot log in to.`);

    const shownUrl = apiUrl ?? (typeof existing?.apiUrl === 'string' ? existing.apiUrl : DEFAULT_CLOUD_API_URL);
    apiKey = await readSecretInput({
      input: process.stdin,
      output: process.stderr,
      prompt: `Daytona API key for profile '${name}' (${shownUrl}; input hidden): `,
    });
    const result = await loginWithApiKey(
      { settings: settingsStore, secrets: createKeyringSecretStore() },
      { name, apiKey, ...(apiUrl !== undefined ? { apiUrl } : {}), ...(target !== undefined ? { target } : {}) },
    );
    if (!result.ok) return fail(`${result.message} Nothing was stored.`);
    process.stdout.write(`API key accepted by ${result.profile.apiUrl} and stored in the OS keychain for profile '${name}'.\nActive profile: ${name}.\n`);
    return 0;
  } catch (error) {
    if (error instanceof SecretInputError) return fail(error.message, error.cancelled ? 130 : 1);
    if (error instanceof SecretStoreError) return fail(`${error.message} Nothing was stored.`);
    return fail(redact((error as Error).message, [apiKey]));
  }
}
