import { z } from 'zod';
import type { CallOptions, DaytonaApi } from '../daytona-api/daytona-api.ts';

/** `models.AggregatedUsage` of Daytona's analytics API (docs/daytona-api.md §9). `totalPrice` is in dollars. */
const aggregatedUsageSchema = z.looseObject({
  totalPrice: z.number().finite(),
  sandboxCount: z.number().optional().catch(undefined),
  totalCPUSeconds: z.number().optional().catch(undefined),
  totalRAMGBSeconds: z.number().optional().catch(undefined),
  totalDiskGBSeconds: z.number().optional().catch(undefined),
  totalGPUSeconds: z.number().optional().catch(undefined),
});

export interface AggregatedUsage {
  totalUsd: number;
  sandboxCount: number | undefined;
  from: string;
  to: string;
}

/**
 * `GET {analyticsApiUrl}/organization/{orgId}/usage/aggregated?from&to`: what the organization spent in
 * the window. Daytona's spec says API keys are accepted here (unlike the wallet).
 */
export async function fetchAggregatedUsage(
  api: Pick<DaytonaApi, 'aggregatedUsage'>,
  analyticsApiUrl: string,
  organizationId: string,
  window: { from: Date; to: Date },
  options: CallOptions = {},
): Promise<AggregatedUsage> {
  const base = analyticsApiUrl.replace(/\/+$/, '');
  const from = window.from.toISOString();
  const to = window.to.toISOString();
  const parsed = aggregatedUsageSchema.safeParse(await api.aggregatedUsage(base, organizationId, { from, to }, options));
  if (!parsed.success) throw new Error(`${base} answered usage/aggregated without a totalPrice; the analytics API may have changed.`);
  return { totalUsd: parsed.data.totalPrice, sandboxCount: parsed.data.sandboxCount, from, to };
}

/** The calendar month so far, in UTC (how Daytona's dashboard shows "spent this month"). */
export function billingPeriod(now: number): { from: Date; to: Date } {
  const date = new Date(now);
  return { from: new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)), to: date };
}
