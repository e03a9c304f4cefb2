import { z } from 'zod';
import type { CallOptions, DaytonaApi } from './daytona-api/daytona-api.ts';

const optionalUrl = z.url().optional().catch(undefined);

/**
 * The parts of `GET {apiUrl}/config` (public, no auth) this app reads: where billing and analytics live,
 * and how users sign in (docs/daytona-api.md §8). Everything is optional and lenient: self-hosted
 * Daytona omits billing, older servers lack `oidc.provider`, and the local provider has no `oidc` at all.
 */
export const daytonaConfigSchema = z.looseObject({
  version: z.string().optional().catch(undefined),
  environment: z.string().optional().catch(undefined),
  billingApiUrl: optionalUrl,
  analyticsApiUrl: optionalUrl,
  dashboardUrl: z.string().optional().catch(undefined),
  maxAutoArchiveInterval: z.number().positive().optional().catch(undefined),
  oidc: z
    .looseObject({
      issuer: z.string().min(1).optional(),
      clientId: z.string().min(1).optional(),
      audience: z.string().optional(),
      provider: z.string().optional(),
      /** WorkOS only: the application the CLI signs in through (api-client 0.220). */
      cli: z
        .looseObject({ issuer: z.string().min(1), clientId: z.string().min(1) })
        .optional()
        .catch(undefined),
    })
    .optional()
    .catch(undefined),
  /** Our local provider's own block (main/local/provider.ts). */
  localProvider: z.looseObject({ minuteMs: z.number().positive().optional() }).optional().catch(undefined),
});
export type DaytonaConfig = z.infer<typeof daytonaConfigSchema>;

export async function fetchDaytonaConfig(api: Pick<DaytonaApi, 'apiUrl' | 'config'>, options: CallOptions = {}): Promise<DaytonaConfig> {
  const parsed = daytonaConfigSchema.safeParse(await api.config(options));
  if (!parsed.success) throw new Error(`${api.apiUrl}/config is not Daytona's configuration: check the API URL (it usually ends in /api).`);
  return parsed.data;
}

/** True for the embedded local provider (its /config says so). */
export function isLocalProvider(config: DaytonaConfig): boolean {
  return config.localProvider !== undefined || config.environment === 'local';
}
