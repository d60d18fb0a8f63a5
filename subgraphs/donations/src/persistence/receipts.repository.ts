import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';
import { GENESIS_HASH, type ReceiptFacts, type ReceiptKind } from '../domain/receipt-chain';

/**
 * Receipts and each charity's chain head (length, head hash). It decides nothing: the receipts service
 * computes each receipt's hash (domain/receipt-chain) and appends under the head's row lock.
 */

export interface StoredReceipt extends ReceiptFacts {
  hash: string;
}

export interface ChainHead {
  length: bigint;
  headHash: string;
}

/** The charity's chain head, created empty if it has none, locked until the caller's transaction ends. */
export async function lockChainHead(manager: EntityManager, charityId: string): Promise<ChainHead> {
  await sql(manager, 'INSERT INTO receipt_chains (charity_id, length, head_hash) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING', [charityId, GENESIS_HASH]);
  const { rows } = await sql<{ length: string; head_hash: string }>(manager, 'SELECT length, head_hash FROM receipt_chains WHERE charity_id = $1 FOR UPDATE', [charityId]);
  return { length: BigInt(rows[0].length), headHash: rows[0].head_hash };
}

/** The charity's chain head as recorded (null: no receipt yet), without a lock. */
export async function chainHead(manager: EntityManager, charityId: string): Promise<ChainHead | null> {
  const { rows } = await sql<{ length: string; head_hash: string }>(manager, 'SELECT length, head_hash FROM receipt_chains WHERE charity_id = $1', [charityId]);
  return rows[0] ? { length: BigInt(rows[0].length), headHash: rows[0].head_hash } : null;
}

/** Writes a receipt and moves its charity's chain head to it (the caller holds the head's lock). */
export async function appendReceipt(manager: EntityManager, receipt: StoredReceipt): Promise<void> {
  await sql(
    manager,
    `INSERT INTO receipts (charity_id, seq, receipt_id, kind, subject_id, points, amount_minor, currency, created_at, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      receipt.charityId,
      receipt.seq.toString(),
      receipt.receiptId,
      receipt.kind,
      receipt.subjectId,
      receipt.points?.toString() ?? null,
      receipt.amountMinor.toString(),
      receipt.currency,
      receipt.createdAt,
      receipt.prevHash,
      receipt.hash,
    ],
  );
  await sql(manager, 'UPDATE receipt_chains SET length = $2, head_hash = $3 WHERE charity_id = $1', [receipt.charityId, receipt.seq.toString(), receipt.hash]);
}

/** One receipt by its receipt number. */
export async function findReceipt(manager: EntityManager, receiptId: string): Promise<StoredReceipt | null> {
  const { rows } = await sql<ReceiptRow>(manager, `${SELECT} WHERE receipt_id = $1`, [receiptId]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** A charity's receipts after `afterSeq`, by sequence; all of them without `limit`. */
export async function receiptsOf(manager: EntityManager, charityId: string, afterSeq = 0, limit?: number): Promise<StoredReceipt[]> {
  const { rows } = await sql<ReceiptRow>(manager, `${SELECT} WHERE charity_id = $1 AND seq > $2 ORDER BY receipts.seq ${limit ? `LIMIT ${Number(limit)}` : ''}`, [
    charityId,
    afterSeq,
  ]);
  return rows.map(fromRow);
}

const SELECT = `SELECT charity_id, seq::text, receipt_id, kind, subject_id, points::text, amount_minor::text, currency, created_at, prev_hash, hash FROM receipts`;

interface ReceiptRow {
  charity_id: string;
  seq: string;
  receipt_id: string;
  kind: ReceiptKind;
  subject_id: string;
  points: string | null;
  amount_minor: string;
  currency: string;
  created_at: Date;
  prev_hash: string;
  hash: string;
}

function fromRow(r: ReceiptRow): StoredReceipt {
  return {
    charityId: r.charity_id,
    seq: BigInt(r.seq),
    receiptId: r.receipt_id,
    kind: r.kind,
    subjectId: r.subject_id,
    points: r.points === null ? null : BigInt(r.points),
    amountMinor: BigInt(r.amount_minor),
    currency: r.currency,
    createdAt: r.created_at,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
