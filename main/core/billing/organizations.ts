import { z } from 'zod';
import type { CallOptions, DaytonaApi } from '../daytona-api/daytona-api.ts';

export const organizationSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional().catch(undefined),
  personal: z.boolean().optional().catch(undefined),
  suspended: z.boolean().optional().catch(undefined),
  suspensionReason: z.string().nullish().catch(undefined),
  suspendedAt: z.string().nullish().catch(undefined),
});
export type Organization = z.infer<typeof organizationSchema>;

/** `GET {apiUrl}/organizations`, as a signed-in user (Daytona refuses API keys here). */
export async function fetchOrganizations(
  api: Pick<DaytonaApi, 'apiUrl' | 'organizations'>,
  options: CallOptions = {},
): Promise<Organization[]> {
  const parsed = z.array(z.unknown()).safeParse(await api.organizations(options));
  if (!parsed.success) throw new Error(`${api.apiUrl}/organizations did not answer with a list of organizations.`);
  return parsed.data.flatMap((item) => {
    const organization = organizationSchema.safeParse(item);
    return organization.success ? [organization.data] : [];
  });
}

/** The one we used before if it still exists, else the personal one (what Daytona's CLI picks), else the first. */
export function pickOrganization(organizations: Organization[], preferredId?: string): Organization | undefined {
  return (
    organizations.find((organization) => organization.id === preferredId) ??
    organizations.find((organization) => organization.personal) ??
    organizations[0]
  );
}

/** `GET {apiUrl}/api-keys/current`, with an API key: the organization it belongs to. */
export async function fetchApiKeyOrganization(
  api: Pick<DaytonaApi, 'currentApiKey'>,
  options: CallOptions = {},
): Promise<string | undefined> {
  const parsed = z.looseObject({ organizationId: z.string().min(1).optional() }).safeParse(await api.currentApiKey(options));
  return parsed.success ? parsed.data.organizationId : undefined;
}

/**
 * Daytona's answer once credits run out: the organization is suspended and creates/starts fail with
 * 403 "Organization is suspended: Credits depleted" (docs/daytona-api.md §9).
 */
export function isCreditsDepleted(status: number | undefined, message: string | undefined): boolean {
  return status === 403 && /suspended/i.test(message ?? '') && /credit|depleted|payment/i.test(message ?? '');
}

/** The same verdict from the organization record a signed-in user can read. */
export function suspendedForCredits(organization: Organization): boolean {
  return organization.suspended === true && /credit|depleted|payment/i.test(organization.suspensionReason ?? '');
}
