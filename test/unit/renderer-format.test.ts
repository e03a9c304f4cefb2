import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatUsd } from '../../renderer/src/format.ts';

/** What formatUsd printed when it called toLocaleString (the reference it must keep matching). */
function viaIntl(usd: number): string {
  const abs = Math.abs(usd);
  const digits = abs !== 0 && abs < 0.01 ? 4 : 2;
  return `${usd < 0 ? '-' : ''}$${abs.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

describe("the window's formatUsd", () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    [0, '$0.00'],
    [0.0003, '$0.0003'],
    [0.1663, '$0.17'],
    [1.005, '$1.01'], // half up on the decimal form, as ICU does (toFixed would say 1.00)
    [0.00995, '$0.0100'],
    [999.995, '$1,000.00'],
    [1234567.5, '$1,234,567.50'],
    [-3.5, '-$3.50'],
    [3e-7, '$0.0000'],
    [Number.POSITIVE_INFINITY, '—'],
  ])('%d -> %s', (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });

  it('prints what toLocaleString printed, over a spread of amounts and rounding edges', () => {
    const amounts = [1e-9, 4.5e-7, 0.00005, 0.000049999, 0.0099999, 0.015, 0.125, 2.675, 1.045, 8.345, 1e15 + 0.5, 1.5e21];
    for (let i = 0; i < 3000; i++)
      amounts.push(Number((Math.random() * 10 ** (i % 9)).toFixed(i % 7)), Math.random() * 10 ** ((i % 12) - 5));
    for (const usd of amounts) {
      expect(formatUsd(usd), String(usd)).toBe(viaIntl(usd));
      expect(formatUsd(-usd), String(-usd)).toBe(viaIntl(-usd));
    }
  });

  it('does not use Intl, whose first use loads ICU data before the first paint', () => {
    vi.spyOn(Number.prototype, 'toLocaleString').mockImplementation(() => {
      throw new Error('toLocaleString called');
    });
    vi.spyOn(Intl, 'NumberFormat').mockImplementation(() => {
      throw new Error('Intl.NumberFormat called');
    });
    expect(formatUsd(1234.5)).toBe('$1,234.50');
  });
});
