import { RATE_SCALE } from '../../../../lib/src/money';

/**
 * Points for a purchase: amount x earn rate, rounded down to a whole point. Rounding down means the
 * hub never issues a fraction of a point that was not paid for. Exact integer arithmetic throughout:
 * `purchaseMinor` is in the currency's minor units, `earnRateScaled` is the rate x 10^6.
 */
export function pointsForPurchase(purchaseMinor: bigint, currencyExponent: number, earnRateScaled: bigint): bigint {
  if (purchaseMinor < 0n || earnRateScaled < 0n) throw new RangeError('purchase and rate must not be negative');
  const divisor = 10n ** BigInt(currencyExponent + RATE_SCALE);
  return (purchaseMinor * earnRateScaled) / divisor;
}

/** The largest number of points one transaction may move (the GraphQL `Int` range). */
export const MAX_POINTS_PER_TRANSACTION = 2_147_483_647n;
