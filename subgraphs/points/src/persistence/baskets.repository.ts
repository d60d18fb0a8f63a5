import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';
import { type PurchaseLine } from '../domain/basket.rules';

/** earn_baskets: the store and lines an earn was for (migration 1739310000000-earn-baskets). */

export interface Basket {
  storeId: string | null;
  lines: PurchaseLine[] | null;
}

type LineJson = { sku: string; category: string | null; quantity: number; amount_minor: string };

export function basketJson(lines: readonly PurchaseLine[] | null): string | null {
  return lines ? JSON.stringify(lines.map((l): LineJson => ({ sku: l.sku, category: l.category, quantity: l.quantity, amount_minor: l.amountMinor.toString() }))) : null;
}

/** Writes an earn's store and lines (nothing when it carried neither). */
export async function insertBasket(manager: EntityManager, transactionId: string, partnerId: string, basket: Basket): Promise<void> {
  if (!basket.storeId && !basket.lines) return;
  await sql(manager, 'INSERT INTO earn_baskets (transaction_id, partner_id, store_id, lines) VALUES ($1, $2, $3, $4::jsonb)', [
    transactionId,
    partnerId,
    basket.storeId,
    basketJson(basket.lines),
  ]);
}

/** The baskets of earns (transactions without one are absent). */
export async function basketsOf(manager: EntityManager, transactionIds: readonly string[]): Promise<Map<string, Basket>> {
  const out = new Map<string, Basket>();
  if (transactionIds.length === 0) return out;
  const { rows } = await sql<{ transaction_id: string; store_id: string | null; lines: LineJson[] | null }>(
    manager,
    'SELECT transaction_id, store_id, lines FROM earn_baskets WHERE transaction_id = ANY($1::uuid[])',
    [[...transactionIds]],
  );
  for (const r of rows) {
    out.set(r.transaction_id, {
      storeId: r.store_id,
      lines: r.lines?.map((l) => ({ sku: l.sku, category: l.category, quantity: l.quantity, amountMinor: BigInt(l.amount_minor) })) ?? null,
    });
  }
  return out;
}

/** A partner's earns per store in [from, to): earns, points earned, points refunded by reversals in the period, purchases (minor units). */
export interface StoreTotals {
  storeId: string;
  earns: number;
  pointsEarned: bigint;
  pointsRefunded: bigint;
  purchasesMinor: bigint;
}

export async function storeTotals(manager: EntityManager, partnerId: string, from: Date, to: Date): Promise<StoreTotals[]> {
  const { rows } = await sql<{ store_id: string; earns: string; earned: string; refunded: string; purchases: string }>(
    manager,
    `SELECT b.store_id, count(*) FILTER (WHERE t.kind = 'EARN')::text AS earns,
            coalesce(sum(t.points) FILTER (WHERE t.kind = 'EARN'), 0)::text AS earned,
            coalesce(-sum(t.points) FILTER (WHERE t.kind = 'REVERSAL'), 0)::text AS refunded,
            coalesce(sum(t.purchase_minor) FILTER (WHERE t.kind = 'EARN'), 0)::text AS purchases
       FROM transactions t JOIN earn_baskets b ON b.transaction_id = coalesce(t.reverses, t.id)
      WHERE t.partner_id = $1 AND t.created_at >= $2 AND t.created_at < $3 AND t.kind IN ('EARN', 'REVERSAL') AND b.store_id IS NOT NULL
      GROUP BY b.store_id ORDER BY b.store_id`,
    [partnerId, from, to],
  );
  return rows.map((r) => ({ storeId: r.store_id, earns: Number(r.earns), pointsEarned: BigInt(r.earned), pointsRefunded: BigInt(r.refunded), purchasesMinor: BigInt(r.purchases) }));
}
