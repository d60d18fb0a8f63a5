import { createHash } from 'node:crypto';

/** The hash a charity's first receipt links to. */
export const GENESIS_HASH = '0'.repeat(64);

export type ReceiptKind = 'DONATION' | 'PLEDGE' | 'PLEDGE_REVERSAL' | 'MATCH';

export interface ReceiptFacts {
  charityId: string;
  seq: bigint;
  receiptId: string;
  kind: ReceiptKind;
  subjectId: string;
  points: bigint | null;
  amountMinor: bigint;
  currency: string;
  createdAt: Date;
  prevHash: string;
}

/**
 * SHA-256 (hex) of a receipt's canonical encoding: a JSON array of its facts in a fixed order, integers
 * as decimal strings, the time as ISO 8601 UTC with milliseconds, and the previous receipt's hash. Any
 * change to a stored receipt changes its hash, and so breaks the link from the next one.
 */
export function receiptHash(r: ReceiptFacts): string {
  const canonical = JSON.stringify([
    'coalition-hub-receipt-v1',
    r.charityId,
    r.seq.toString(),
    r.receiptId,
    r.kind,
    r.subjectId,
    r.points === null ? null : r.points.toString(),
    r.amountMinor.toString(),
    r.currency,
    r.createdAt.toISOString(),
    r.prevHash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export interface ChainCheck {
  valid: boolean;
  length: bigint;
  headHash: string;
  /** The first receipt whose sequence, link or hash is wrong; null when the chain is intact. */
  firstBrokenSeq: bigint | null;
}

/** Recomputes a chain from its receipts in sequence order. */
export function checkChain(receipts: readonly (ReceiptFacts & { hash: string })[]): ChainCheck {
  let prev = GENESIS_HASH;
  let expectedSeq = 1n;
  for (const r of receipts) {
    if (r.seq !== expectedSeq || r.prevHash !== prev || receiptHash(r) !== r.hash) {
      return { valid: false, length: BigInt(receipts.length), headHash: receipts[receipts.length - 1].hash, firstBrokenSeq: expectedSeq };
    }
    prev = r.hash;
    expectedSeq++;
  }
  return { valid: true, length: BigInt(receipts.length), headHash: prev, firstBrokenSeq: null };
}
