/** $1,234.57; amounts under a cent show more digits ($0.0042) so a small burn rate is not shown as $0.00. */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return '$–';
  const abs = Math.abs(usd);
  const digits = abs === 0 || abs >= 0.01 ? 2 : Math.min(8, 1 - Math.floor(Math.log10(abs)));
  const text = abs.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${usd < 0 ? '-' : ''}$${text}`;
}
