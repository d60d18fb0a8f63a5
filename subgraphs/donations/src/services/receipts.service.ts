import { randomBytes } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import { forbidden, isAdmin, notFound, sql, validate, type Viewer } from '../../../shared/src';
import { checkChain, GENESIS_HASH, receiptHash, type ChainCheck, type ReceiptFacts, type ReceiptKind } from '../domain/receipt-chain';

export interface StoredReceipt extends ReceiptFacts {
  hash: string;
}

export interface ChainVerification extends ChainCheck {
  charityId: string;
  /** What the chain's head record says (length, hash): a trimmed chain disagrees with its rows. */
  recordedLength: bigint;
  recordedHeadHash: string;
  /** When the caller passed a head it saw before: whether that receipt is still there, unchanged. */
  knownHeadMatches: boolean | null;
}

/** A receipt number members and charities can quote: `R-` and 20 random base32 characters. */
export function newReceiptId(): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTVWXYZ0123456789';
  return `R-${[...randomBytes(20)].map((b) => alphabet[b % 32]).join('')}`;
}

/**
 * Receipts: every donation, pledge accrual (and its reversal) and match gets one, appended to its
 * charity's hash chain under the chain's row lock, so sequence numbers are gapless and each receipt
 * commits with the fact it proves. Verification recomputes the chain.
 * Raises: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT.
 */
export class ReceiptsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends inside the caller's transaction `manager` (which also writes the fact). */
  async append(
    manager: EntityManager,
    r: { charityId: string; receiptId?: string; kind: ReceiptKind; subjectId: string; points: bigint | null; amountMinor: bigint; currency: string },
  ): Promise<StoredReceipt> {
    await sql(manager, 'INSERT INTO receipt_chains (charity_id, length, head_hash) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING', [r.charityId, GENESIS_HASH]);
    const { rows } = await sql<{ length: string; head_hash: string }>(manager, 'SELECT length, head_hash FROM receipt_chains WHERE charity_id = $1 FOR UPDATE', [
      r.charityId,
    ]);
    // Milliseconds only: the stored time reads back exactly as hashed.
    const createdAt = new Date(Math.floor(Date.now()));
    const facts: ReceiptFacts = {
      charityId: r.charityId,
      seq: BigInt(rows[0].length) + 1n,
      receiptId: r.receiptId ?? newReceiptId(),
      kind: r.kind,
      subjectId: r.subjectId,
      points: r.points,
      amountMinor: r.amountMinor,
      currency: r.currency,
      createdAt,
      prevHash: rows[0].head_hash,
    };
    const hash = receiptHash(facts);
    await sql(
      manager,
      `INSERT INTO receipts (charity_id, seq, receipt_id, kind, subject_id, points, amount_minor, currency, created_at, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        facts.charityId,
        facts.seq.toString(),
        facts.receiptId,
        facts.kind,
        facts.subjectId,
        facts.points?.toString() ?? null,
        facts.amountMinor.toString(),
        facts.currency,
        createdAt,
        facts.prevHash,
        hash,
      ],
    );
    await sql(manager, 'UPDATE receipt_chains SET length = $2, head_hash = $3 WHERE charity_id = $1', [r.charityId, facts.seq.toString(), hash]);
    return { ...facts, hash };
  }

  /** The charity itself (reports:read with its charity_id) or the admin; another charity's: NOT_FOUND. */
  async requireReader(viewer: Viewer, charityId: string): Promise<string> {
    const id = validate.uuid('charityId', charityId);
    if (!isAdmin(viewer)) {
      if (!viewer.charityId || !viewer.scopes.has('reports:read')) throw forbidden('Requires admin, or a charity token with reports:read');
      if (viewer.charityId !== id) throw notFound('Charity');
    }
    const { rowCount } = await sql(this.dataSource.manager, 'SELECT 1 FROM charities WHERE id = $1', [id]);
    if (rowCount === 0) throw notFound('Charity');
    return id;
  }

  async verify(viewer: Viewer, charityId: string, knownHead?: { seq: number; hash: string } | null): Promise<ChainVerification> {
    const id = await this.requireReader(viewer, charityId);
    const receipts = await this.load(this.dataSource.manager, id);
    const check = checkChain(receipts);
    const { rows } = await sql<{ length: string; head_hash: string }>(this.dataSource.manager, 'SELECT length, head_hash FROM receipt_chains WHERE charity_id = $1', [id]);
    const recordedLength = BigInt(rows[0]?.length ?? '0');
    const recordedHeadHash = rows[0]?.head_hash ?? GENESIS_HASH;
    let knownHeadMatches: boolean | null = null;
    if (knownHead) {
      const at = receipts.find((r) => r.seq === BigInt(knownHead.seq));
      knownHeadMatches = !!at && at.hash === knownHead.hash.toLowerCase();
    }
    const consistent = recordedLength === check.length && recordedHeadHash === check.headHash;
    const valid = check.valid && consistent && knownHeadMatches !== false;
    let firstBrokenSeq = check.firstBrokenSeq;
    if (firstBrokenSeq === null && !valid) firstBrokenSeq = consistent ? BigInt(knownHead?.seq ?? 1) : check.length + 1n;
    return { ...check, valid, firstBrokenSeq, charityId: id, recordedLength, recordedHeadHash, knownHeadMatches };
  }

  /** A page of a charity's receipts, by sequence. */
  async page(viewer: Viewer, charityId: string, first: number, afterSeq?: number | null): Promise<StoredReceipt[]> {
    const id = await this.requireReader(viewer, charityId);
    const limit = Math.min(Math.max(first, 1), 100);
    return this.load(this.dataSource.manager, id, afterSeq ?? 0, limit);
  }

  /** One receipt by its id; callers reach it only through a donation they may see. */
  async byReceiptId(receiptId: string): Promise<StoredReceipt | null> {
    const { rows } = await sql<ReceiptRow>(this.dataSource.manager, `${SELECT} WHERE receipt_id = $1`, [receiptId]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  private async load(manager: EntityManager, charityId: string, afterSeq = 0, limit?: number): Promise<StoredReceipt[]> {
    const { rows } = await sql<ReceiptRow>(manager, `${SELECT} WHERE charity_id = $1 AND seq > $2 ORDER BY receipts.seq ${limit ? `LIMIT ${Number(limit)}` : ''}`, [
      charityId,
      afterSeq,
    ]);
    return rows.map(fromRow);
  }
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
