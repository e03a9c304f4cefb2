import { loginWithApiKey, useLocalProfile } from '../core/profile.ts';
import { createKeyringSecretStore } from '../core/secrets/keyring-secret-store.ts';
import { readSecretInput, SecretInputError } from '../core/secrets/read-secret-input.ts';
import { redact } from '../core/redact.ts';
import { SecretStoreError } from '../core/secrets/secret-store.ts';
import { apiUrlSchema, CLOUD_PROFILE, DEFAULT_CLOUD_API_URL, LOCAL_PROFILE, profileNameSchema } from '../core/settings/settings-schema.ts';
import { createSettingsStore, type SettingsStore } from '../core/settings/settings-store.ts';
import { signInProfile } from '../core/auth/browser-login.ts';
import { SignInError } from '../core/auth/loopback-callback.ts';
import { isLoopback } from '../core/auth/oidc-client.ts';
import { readApiKey } from '../core/secrets/profile-secrets.ts';
import { parseCommandArgs } from './command-kit.ts';

const HELP = `Usage: daytona-tray login [--profile NAME] [--api-url URL] [--target REGION] [--browser] [--insecure]

Stores a Daytona API key in the OS keychain and makes its profile the active one.
The key is read from stdin when it is piped (daytona-tray login < key.txt), else from a
hidden prompt; never from the command line. It is checked against the API first: a key
the API rejects is not stored.

  --profile NAME    profile to log in (default: cloud); 'local' switches to the embedded
                    local provider, which needs no key
  --api-url URL     Daytona API URL (default: the profile's, else ${DEFAULT_CLOUD_API_URL})
  --target REGION   region for new sandboxes (default: the organization's default)
  --browser         sign in with your Daytona account in the browser instead (OIDC); this
                    shows your credit balance. The API key, if any, stays as it is.
  --insecure        allow an http:// API URL on another machine (the key then crosses the
                    network readable by anyone on the way); without it only https:// and
                    this machine (127.0.0.1, localhost) are accepted`;

const OPTIONS = {
  profile: { type: 'string' },
  'api-url': { type: 'string' },
  target: { type: 'string' },
  browser: { type: 'boolean' },
  insecure: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const fail = (message: string, code = 1): number => {
  process.stderr.write(`daytona-tray login: ${message}\n`);
  return code;
};

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('login', argv, OPTIONS, HELP, undefined, (message) =>
    // parseArgs quotes unknown arguments: never echo them, someone may have pasted the key there.
    /Unknown option|Unexpected argument/.test(message)
      ? 'unexpected argument (the API key is never given on the command line: pipe it or type it at the prompt)'
      : message,
  );
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
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
  if (target !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(target))
    return fail('--target: a region name is 1-64 letters, digits, ., - or _.', 2);

  const settingsStore = createSettingsStore();
  let apiKey: string | undefined;
  try {
    const { settings, warnings, unreadable } = await settingsStore.load();
    // Nothing can be saved over a settings file that cannot be read: say so before asking for a key.
    if (unreadable)
      return fail(unreadable.replace('so the defaults are in use and nothing will be saved over it', 'so nothing was changed'));
    for (const warning of warnings) process.stderr.write(`daytona-tray login: warning: ${warning}\n`);
    const existing = settings.profiles[name];

    if (existing?.kind === 'local' || (!existing && name === LOCAL_PROFILE)) {
      if (apiUrl !== undefined || target !== undefined)
        return fail(`profile '${name}' is the local provider: --api-url and --target do not apply.`, 2);
      await useLocalProfile(settingsStore, name);
      process.stdout.write(`Active profile: ${name} (the embedded local provider; no API key needed).\n`);
      return 0;
    }
    if (existing && existing.kind !== 'cloud')
      return fail(`profile '${name}' is of kind '${existing.kind}', which this version cannot log in to.`);

    const shownUrl = apiUrl ?? (typeof existing?.apiUrl === 'string' ? existing.apiUrl : DEFAULT_CLOUD_API_URL);
    const plain = new URL(shownUrl);
    if (plain.protocol === 'http:' && !isLoopback(plain.hostname) && !values.insecure) {
      return fail(
        `refusing to send a key over plain HTTP to ${plain.host}: anyone on the network between here and there could read it. ` +
          'Use the https:// address of the API, or, only on a network you trust, run login again with --insecure.',
        2,
      );
    }
    if (values.browser) return await browserLogin(settingsStore, name, shownUrl, target);
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
    process.stdout.write(
      `API key accepted by ${result.profile.apiUrl} and stored in the OS keychain for profile '${name}'.\nActive profile: ${name}.\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof SecretInputError) return fail(error.message, error.cancelled ? 130 : 1);
    if (error instanceof SignInError) return fail(`${error.message} Nothing was stored.`);
    if (error instanceof SecretStoreError) return fail(`${error.message} Nothing was stored.`);
    return fail(redact((error as Error).message, [apiKey]));
  }
}

/** `login --browser`: OIDC sign-in in the system browser; tokens go to the keychain under the profile. */
async function browserLogin(settingsStore: SettingsStore, name: string, apiUrl: string, target: string | undefined): Promise<number> {
  const secrets = createKeyringSecretStore();
  const result = await signInProfile({ profile: name, apiUrl, secrets, tell: (line) => process.stderr.write(`${line}\n`) });
  await settingsStore.update((s) => {
    const existing = s.profiles[name];
    s.profiles[name] = { ...existing, kind: 'cloud', apiUrl, ...(target !== undefined ? { target } : {}) };
  });
  const org = result.organizationId ? ` (organization ${result.organizationId})` : '';
  process.stdout.write(`Signed in to ${apiUrl}${org}; the tokens are in the OS keychain for profile '${name}'.\n`);
  if (!(await readApiKey(secrets, name))) {
    process.stdout.write(
      `The MCP server still needs an API key for this profile: run 'daytona-tray login --profile ${name}' and paste one.\n`,
    );
  }
  return 0;
}
