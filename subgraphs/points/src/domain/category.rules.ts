import { type Award } from './award.rules';
import { categoryKey, type PurchaseLine } from './basket.rules';
import { RATE_SCALE } from '../../../../lib/src/money';

/** A partner's extra earn on a category, as the partners subgraph answers it (percent as "15.00"). */
export interface CategoryRateFact {
  id: string;
  category: string;
  extraPercent: string;
}

/** "15.00" -> 1500n (hundredths of a percent). */
export function percentCenti(value: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(value);
  if (!match) throw new RangeError(`not a percent: ${value}`);
  return BigInt(match[1]) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
}

/**
 * Extra points per category rate: the lines of that category (compared without case) earn
 * `extraPercent` % more than they earn at the earn rate, rounded down once per rate, paid by the partner.
 * Lines without a category, or of a category without a rate, earn no extra.
 */
export function categoryAwards(
  partnerId: string,
  lines: readonly PurchaseLine[] | null,
  rates: readonly CategoryRateFact[],
  currencyExponent: number,
  earnRateScaled: bigint,
): Award[] {
  if (!lines || rates.length === 0) return [];
  const divisor = 10n ** BigInt(currencyExponent + RATE_SCALE) * 10_000n;
  return rates.map((rate): Award => {
    const key = categoryKey(rate.category);
    const amount = lines.filter((l) => l.category !== null && categoryKey(l.category) === key).reduce((sum, l) => sum + l.amountMinor, 0n);
    return { kind: 'CATEGORY', points: (amount * earnRateScaled * percentCenti(rate.extraPercent)) / divisor, fundedBy: partnerId, ruleId: rate.id };
  });
}
