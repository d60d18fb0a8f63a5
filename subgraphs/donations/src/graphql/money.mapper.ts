import { formatMoney, money, type MoneyType } from '../../../../lib/src';

/** An amount in minor units as the contract's Money (decimal string and currency). */
export function formatMoneyType(minor: bigint, currency: string): MoneyType {
  const m = formatMoney({ minor, currency });
  return money(m.amount, m.currency);
}
