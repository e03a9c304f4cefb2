import { z } from 'zod';
import { badRequest } from './errors.ts';
import type { ResourceHooks } from './lifecycle/sandbox-runtimes.ts';
import type { SandboxRecord } from './sandbox-record.ts';
import type { BindMount } from './sandbox-runner/index.ts';
import type { SecretVault } from './secrets/secret-vault.ts';
import { parseOrBadRequest } from './validation.ts';
import type { SandboxVolume, VolumeStore } from './volumes/volume-store.ts';

/** Daytona's create-sandbox `volumes` (SandboxVolume) and `secrets` (a list of {ENV_NAME: secretName}). */
export const volumesField = z.array(z.object({ volumeId: z.string().min(1), mountPath: z.string(), subpath: z.string().optional() }));
export const secretsField = z.array(z.record(z.string(), z.string()));

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Where Daytona refuses to mount a volume (validateMountPaths). */
const SYSTEM_DIRS = ['/proc', '/sys', '/dev', '/boot', '/etc', '/bin', '/sbin', '/lib', '/lib64'];
/** Also refused here: the host's own folders a sandbox sees read-only, where no mount point can be made. */
const HOST_DIRS = ['/usr', '/lib32', '/opt/daytona-tray'];

export interface SandboxResources {
  volumes: VolumeStore;
  secrets: SecretVault;
}

/**
 * Checks a create's volumes and secrets as Daytona does (mount paths, subpaths, that each volume exists and is
 * ready, that each secret exists) and returns them as the sandbox record keeps them (volume ids resolved).
 */
export function resolveCreateResources(
  body: { volumes?: unknown; secrets?: unknown; env?: Record<string, string> | undefined },
  resources: SandboxResources,
  isolation: 'bubblewrap' | 'none',
): { volumes?: SandboxVolume[]; secrets?: Record<string, string> } {
  const result: { volumes?: SandboxVolume[]; secrets?: Record<string, string> } = {};
  const volumes = body.volumes === undefined ? [] : parseOrBadRequest(volumesField, body.volumes, 'sandbox');
  if (volumes.length > 0) {
    if (isolation === 'none') {
      throw badRequest(
        "Volumes need bubblewrap, and sandboxes are not isolated on this machine (see the local provider's config): omit volumes, install bubblewrap, or use a Daytona Cloud profile.",
      );
    }
    const found = volumes.map((v) => resources.volumes.usable(v.volumeId));
    const errors = volumes.flatMap((v) => [...mountPathErrors(v.mountPath), ...subpathErrors(v.subpath)]);
    if (errors.length > 0) throw badRequest(errors.join(', '));
    const paths = volumes.map((v) => v.mountPath.replace(/\/+$/, ''));
    const twice = paths.find((path, index) => paths.indexOf(path) !== index);
    if (twice) throw badRequest(`Two volumes are mounted at ${twice}: give each volume a mount path of its own.`);
    result.volumes = volumes.map((v, index) => ({
      volumeId: found[index]!.id,
      mountPath: paths[index]!,
      ...(v.subpath ? { subpath: v.subpath.replace(/\/+$/, '') } : {}),
    }));
  }
  const entries =
    body.secrets === undefined ? [] : parseOrBadRequest(secretsField, body.secrets, 'sandbox').flatMap((m) => Object.entries(m));
  if (entries.length > 0) {
    const secrets: Record<string, string> = {};
    for (const [variable, name] of entries) {
      if (!ENV_NAME.test(variable))
        throw badRequest(`Invalid secret variable name '${variable}': use letters, digits and '_', not starting with a digit.`);
      if (body.env?.[variable] !== undefined) throw badRequest(`${variable} is set both in env and in secrets: set it in one of them.`);
      if (!resources.secrets.byName(name))
        throw badRequest(`Secret ${name} not found: create it first (daytona.secret.create), then try again.`);
      secrets[variable] = name;
    }
    result.secrets = secrets;
  }
  return result;
}

/** The service's hooks, and `refreshSecrets` for a sandbox whose secrets changed while it runs. */
export function sandboxResourceHooks(
  resources: SandboxResources,
): ResourceHooks & { refreshSecrets(record: SandboxRecord): Promise<void> } {
  // Each started sandbox's variables: the runner holds this very object, so a change in place reaches the
  // commands started afterwards (as on Daytona, running processes keep their environment).
  const live = new Map<string, Record<string, string>>();
  return {
    mountsOf: (record: SandboxRecord | undefined): BindMount[] =>
      record?.volumes?.length ? resources.volumes.mountsOf(record.volumes) : [],
    async beforeBoot(record: SandboxRecord): Promise<Record<string, string>> {
      if (record.volumes?.length) await resources.volumes.prepare(record.volumes);
      const env = await resources.secrets.resolve(record.secrets);
      live.set(record.id, env);
      return env;
    },
    async refreshSecrets(record: SandboxRecord): Promise<void> {
      const env = live.get(record.id);
      if (!env) return;
      const next = await resources.secrets.resolve(record.secrets);
      for (const key of Object.keys(env)) delete env[key];
      Object.assign(env, next);
    },
  };
}

function mountPathErrors(value: string): string[] {
  if (!value.startsWith('/')) return [`Invalid mount path ${value} (must be absolute)`];
  if (value === '/' || value === '//') return [`Invalid mount path ${value} (cannot mount to the root directory)`];
  if (value.includes('/../') || value.includes('/./') || value.endsWith('/..') || value.endsWith('/.')) {
    return [`Invalid mount path ${value} (cannot contain relative path components)`];
  }
  if (/\/\/+/.test(value.slice(1))) return [`Invalid mount path ${value} (cannot contain consecutive slashes)`];
  const under = (dirs: string[]) => dirs.some((dir) => value === dir || value.startsWith(`${dir}/`));
  if (under(SYSTEM_DIRS)) return [`Invalid mount path ${value} (cannot mount to system directory)`];
  if (under(HOST_DIRS))
    return [
      `Invalid mount path ${value} (the local provider shows this host folder read-only: mount elsewhere, e.g. /mnt or under /home/daytona)`,
    ];
  return [];
}

function subpathErrors(subpath: string | undefined): string[] {
  if (!subpath) return [];
  if (subpath.startsWith('/')) return [`Invalid subpath "${subpath}" (S3 key prefixes cannot start with /)`];
  if (subpath.includes('..')) return [`Invalid subpath "${subpath}" (cannot contain .. for security)`];
  if (subpath.includes('//')) return [`Invalid subpath "${subpath}" (cannot contain consecutive slashes)`];
  return [];
}
