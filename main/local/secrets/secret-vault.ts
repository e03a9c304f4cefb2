import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { SecretStoreError, type SecretStore } from '../../core/secrets/secret-store.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import { RecordDir } from '../record-dir.ts';

/** Daytona's rule for a secret's name (SDK CreateSecretParams). */
export const SECRET_NAME = /^[a-zA-Z_][a-zA-Z0-9_-]*$/;
/** A host a secret may be sent to: a hostname or a `*.` wildcard, no port. */
const SECRET_HOST = /^(\*\.)?([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

const secretSchema = z.object({
  id: z.uuid(),
  name: z.string().regex(SECRET_NAME),
  description: z.string().optional(),
  hosts: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
/** What is kept on disk about a secret: everything but its value. */
export type SecretRecord = z.infer<typeof secretSchema>;

export interface SecretInput {
  name?: string | undefined;
  value?: string | undefined;
  description?: string | undefined;
  hosts?: string[] | undefined;
}

/**
 * Daytona's organization secrets for the local provider: the value lives only in the OS keychain (one entry per
 * secret, under its id), the name, description and hosts in `<dataDir>/secrets/<id>.json`. Nothing reads a
 * value back out through the API; only a sandbox start does, to put it in the sandbox's environment.
 */
export class SecretVault {
  private readonly records: RecordDir<SecretRecord>;
  private readonly keychain: SecretStore;
  private readonly now: () => number;

  constructor(providerDataDir: string, keychain: SecretStore, now: () => number = Date.now) {
    this.records = new RecordDir(join(providerDataDir, 'secrets'), secretSchema);
    this.keychain = keychain;
    this.now = now;
  }

  load(): Promise<string[]> {
    return this.records.load();
  }

  all(): SecretRecord[] {
    return this.records.all();
  }

  get(id: string): SecretRecord {
    const secret = this.records.get(id);
    if (!secret) throw notFound(`Secret with ID ${id} not found`);
    return secret;
  }

  byName(name: string): SecretRecord | undefined {
    return this.records.all().find((secret) => secret.name === name);
  }

  async create(input: SecretInput): Promise<SecretRecord> {
    const name = input.name ?? '';
    if (!SECRET_NAME.test(name)) {
      throw badRequest(`Invalid secret name '${name}': use letters, digits, '_' and '-', starting with a letter or '_'.`);
    }
    if (typeof input.value !== 'string' || input.value.length === 0) throw badRequest('A secret needs a value: pass a non-empty value.');
    if (this.byName(name)) throw conflict(`Secret with name ${name} already exists. Pick another name, or update the existing secret.`);
    const at = new Date(this.now()).toISOString();
    const secret: SecretRecord = {
      id: randomUUID(),
      name,
      ...(input.description !== undefined ? { description: input.description } : {}),
      hosts: checkHosts(input.hosts),
      createdAt: at,
      updatedAt: at,
    };
    // The value first: a crash in between leaves an orphaned keychain entry, never a secret without a value.
    await this.keychainCall(() => this.keychain.set(accountOf(secret.id), input.value!));
    await this.records.save(secret);
    return secret;
  }

  async update(id: string, input: SecretInput): Promise<SecretRecord> {
    const secret = this.get(id);
    if (input.value !== undefined) {
      if (input.value.length === 0) throw badRequest('A secret needs a value: pass a non-empty value, or omit value to keep it.');
      await this.keychainCall(() => this.keychain.set(accountOf(id), input.value!));
    }
    if (input.hosts !== undefined) secret.hosts = checkHosts(input.hosts);
    if (input.description !== undefined) secret.description = input.description;
    secret.updatedAt = new Date(this.now()).toISOString();
    await this.records.save(secret);
    return secret;
  }

  async delete(id: string): Promise<void> {
    this.get(id);
    await this.records.remove(id);
    await this.keychainCall(() => this.keychain.delete(accountOf(id)));
  }

  /**
   * The values a sandbox's secrets (env name → secret name) give its environment. Read at every start, so an
   * updated value reaches the sandbox at its next start, as on Daytona.
   */
  async resolve(secrets: Record<string, string> | undefined): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const [variable, name] of Object.entries(secrets ?? {})) {
      const secret = this.byName(name);
      if (!secret)
        throw badRequest(
          `Secret ${name} (for ${variable}) no longer exists: create it again (daytona.secret.create), then start the sandbox.`,
        );
      const value = await this.keychainCall(() => this.keychain.get(accountOf(secret.id)));
      if (value === null)
        throw badRequest(
          `Secret ${name} (for ${variable}) has no value in the keychain: set one (daytona.secret.update), then start the sandbox.`,
        );
      env[variable] = value;
    }
    return env;
  }

  flushed(): Promise<void> {
    return this.records.flushed();
  }

  /** A keychain failure becomes Daytona's error shape with the keychain's own advice (it never holds the value). */
  private async keychainCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof SecretStoreError)
        throw new ApiError(503, `The local provider keeps secrets in the OS keychain: ${error.message}`);
      throw error;
    }
  }
}

/** The keychain account of a secret's value (ids are random UUIDs: providers on other data dirs never collide). */
function accountOf(id: string): string {
  return `local-provider-secret:${id}`;
}

function checkHosts(hosts: string[] | undefined): string[] {
  for (const host of hosts ?? []) {
    if (typeof host !== 'string' || !SECRET_HOST.test(host)) {
      throw badRequest(
        `Invalid host '${String(host)}': use a hostname (api.example.com) or a '*.' wildcard (*.example.com), without a port.`,
      );
    }
  }
  return hosts ?? [];
}

/** Daytona's Secret DTO: never the value; the placeholder is what Daytona puts in the sandbox's environment. */
export function toSecretDto(secret: SecretRecord) {
  return {
    id: secret.id,
    name: secret.name,
    ...(secret.description !== undefined ? { description: secret.description } : {}),
    placeholder: `dtn_secret_${secret.id}`,
    hosts: secret.hosts,
    createdAt: secret.createdAt,
    updatedAt: secret.updatedAt,
  };
}
