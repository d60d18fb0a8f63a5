import { randomBytes } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import { forbidden, isAdmin, notFound, validate, type Viewer } from '../../../../lib/src';
import { checkChain, GENESIS_HASH, receiptHash, type ChainCheck, type ReceiptFacts, type ReceiptKind } from '../domain/receipt-chain';
import { charityExists } from '../persistence/charities.repository';
import { appendReceipt, chainHead, findReceipt, lockChainHead, receiptsOf, type StoredReceipt } from '../persistence/receipts.repository';

export type { StoredReceipt };

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
    const head = await lockChainHead(manager, r.charityId);
    // Milliseconds only: the stored time reads back exactly as hashed.
    const createdAt = new Date(Math.floor(Date.now()));
    const facts: ReceiptFacts = {
      charityId: r.charityId,
      seq: head.length + 1n,
      receiptId: r.receiptId ?? newReceiptId(),
      kind: r.kind,
      subjectId: r.subjectId,
      points: r.points,
      amountMinor: r.amountMinor,
      currency: r.currency,
      createdAt,
      prevHash: head.headHash,
    };
    const stored = { ...facts, hash: receiptHash(facts) };
    await appendReceipt(manager, stored);
    return stored;
  }

  /** The charity itself (reports:read with its charity_id) or the admin; another charity's: NOT_FOUND. */
  async requireReader(viewer: Viewer, charityId: string): Promise<string> {
    const id = validate.uuid('charityId', charityId);
    if (!isAdmin(viewer)) {
      if (!viewer.charityId || !viewer.scopes.has('reports:read')) throw forbidden('Requires admin, or a charity token with reports:read');
      if (viewer.charityId !== id) throw notFound('Charity');
    }
    if (!(await charityExists(this.dataSource.manager, id))) throw notFound('Charity');
    return id;
  }

  async verify(viewer: Viewer, charityId: string, knownHead?: { seq: number; hash: string } | null): Promise<ChainVerification> {
    const id = await this.requireReader(viewer, charityId);
    const receipts = await receiptsOf(this.dataSource.manager, id);
    const check = checkChain(receipts);
    const head = await chainHead(this.dataSource.manager, id);
    const recordedLength = head?.length ?? 0n;
    const recordedHeadHash = head?.headHash ?? GENESIS_HASH;
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
    return receiptsOf(this.dataSource.manager, id, afterSeq ?? 0, limit);
  }

  /** One receipt by its id; callers reach it only through a donation they may see. */
  async byReceiptId(receiptId: string): Promise<StoredReceipt | null> {
    return findReceipt(this.dataSource.manager, receiptId);
  }
}
