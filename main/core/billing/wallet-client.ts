import { z } from 'zod';
import type { CallOptions, DaytonaApi } from '../daytona-api/daytona-api.ts';

/** `OrganizationWallet` of Daytona's billing API (docs/daytona-api.md §9); every field is optional there. */
const walletSchema = z.looseObject({
  balanceCents: z.number().finite().optional().catch(undefined),
  ongoingBalanceCents: z.number().finite().optional().catch(undefined),
  billingType: z.string().optional().catch(undefined),
  creditCardConnected: z.boolean().optional().catch(undefined),
  hasFailedOrPendingInvoice: z.boolean().optional().catch(undefined),
  automaticTopUp: z
    .looseObject({ disabled: z.boolean().optional(), thresholdAmount: z.number().optional(), targetAmount: z.number().optional() })
    .optional()
    .catch(undefined),
});

export interface Wallet {
  /** What the dashboard calls "Current balance": ongoingBalanceCents / 100. */
  balanceCents: number;
  /** The dashboard's "Spent this month": (balanceCents - ongoingBalanceCents) / 100, when both are given. */
  spentThisPeriodCents: number | undefined;
  billingType: string | undefined;
  creditCardConnected: boolean | undefined;
  hasFailedOrPendingInvoice: boolean | undefined;
  /** Whole USD, not cents (as the billing API sends them). */
  automaticTopUp: { disabled: boolean; thresholdUsd: number | undefined; targetUsd: number | undefined } | undefined;
}

/**
 * `GET {billingApiUrl}/v2/organization/{orgId}/wallet`, as the signed-in user (`api` carries the access
 * token). Daytona shows the wallet to owners only: expect 403 for members.
 */
export async function fetchWallet(
  api: Pick<DaytonaApi, 'wallet'>,
  billingApiUrl: string,
  organizationId: string,
  options: CallOptions = {},
): Promise<Wallet> {
  const base = billingApiUrl.replace(/\/+$/, '');
  const parsed = walletSchema.safeParse(await api.wallet(base, organizationId, options));
  if (!parsed.success) throw new Error(`${base} answered the wallet request with something that is not a wallet.`);
  const wallet = parsed.data;
  const balance = wallet.ongoingBalanceCents ?? wallet.balanceCents;
  if (balance === undefined) throw new Error(`${base} sent a wallet without a balance; the billing API may have changed.`);
  return {
    balanceCents: balance,
    spentThisPeriodCents:
      wallet.balanceCents !== undefined && wallet.ongoingBalanceCents !== undefined
        ? wallet.balanceCents - wallet.ongoingBalanceCents
        : undefined,
    billingType: wallet.billingType,
    creditCardConnected: wallet.creditCardConnected,
    hasFailedOrPendingInvoice: wallet.hasFailedOrPendingInvoice,
    automaticTopUp: wallet.automaticTopUp
      ? {
          disabled: wallet.automaticTopUp.disabled ?? false,
          thresholdUsd: wallet.automaticTopUp.thresholdAmount,
          targetUsd: wallet.automaticTopUp.targetAmount,
        }
      : undefined,
  };
}
