/** A purchase line as the till sends it, its amount already in the purchase currency's minor units. */
export interface PurchaseLine {
  sku: string;
  category: string | null;
  quantity: number;
  amountMinor: bigint;
}

export const MAX_BASKET_LINES = 200;
export const MAX_LINE_QUANTITY = 100_000;

/** Why a basket is refused, as (field, message); null when it is acceptable. */
export function basketProblem(lines: readonly PurchaseLine[], purchaseMinor: bigint): { field: string; message: string } | null {
  if (lines.length === 0) return { field: 'lines', message: 'must have at least one line when given' };
  if (lines.length > MAX_BASKET_LINES) return { field: 'lines', message: `must have at most ${MAX_BASKET_LINES} lines` };
  for (const [i, l] of lines.entries()) {
    if (!/^[\x21-\x7e]{1,64}$/.test(l.sku)) return { field: `lines.${i}.sku`, message: 'must be 1 to 64 printable ASCII characters without spaces' };
    if (l.category !== null && !/^[\x21-\x7e]{1,64}$/.test(l.category)) return { field: `lines.${i}.category`, message: 'must be 1 to 64 printable ASCII characters without spaces' };
    if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > MAX_LINE_QUANTITY) return { field: `lines.${i}.quantity`, message: `must be a whole number from 1 to ${MAX_LINE_QUANTITY}` };
    if (l.amountMinor < 0n) return { field: `lines.${i}.amount`, message: 'must not be negative' };
  }
  const total = lines.reduce((sum, l) => sum + l.amountMinor, 0n);
  if (total !== purchaseMinor) return { field: 'lines', message: 'must add up to the purchase amount' };
  return null;
}

/** Categories are compared without case: "Produce" and "produce" are one category. */
export const categoryKey = (category: string): string => category.toLowerCase();
