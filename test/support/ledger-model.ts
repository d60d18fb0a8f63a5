/**
 * A reference model of one member's points in the ledger, in plain TypeScript, for the property tests
 * (test/e2e/ledger-properties.e2e.test.ts). It restates the rules of README "The ledger" without a
 * database: lots spent oldest expiry first, holds that reserve points without touching lots, expiry that
 * leaves what open holds reserve, refunds settled by what became of the earn's lot (clawbacks for points
 * already spent, repaid first from points that become available again), and the refusals each
 * operation answers. An operation that is refused changes nothing (the service's transaction rolls
 * back), except a refused donation, whose posting call commits the expiry it ran (the REFUSED decision
 * is stored in that transaction).
 *
 * Transactions, lots and holds are numbered in the order the model made them; the test maps the numbers
 * to the ids the hub answered.
 */

export type LedgerCode = 'INSUFFICIENT_POINTS' | 'ALREADY_FINALIZED' | 'NOT_FOUND' | 'BAD_USER_INPUT';
export type TxKind = 'EARN' | 'REDEEM' | 'REVERSAL' | 'CLAWBACK' | 'EXPIRY' | 'DONATION';

export interface ModelTx {
  kind: TxKind;
  /** Net change to the member's account, as `transactions.points`. */
  points: number;
  /** Index of the partner (0 or 1) that made it; null for expiry and donations. */
  partner: number | null;
  /** The transaction a REVERSAL reverses. */
  reverses: number | null;
  reversed: boolean;
  /** Non-zero postings it wrote (zero amounts are skipped by the ledger). */
  postings: number;
}

export interface ModelLot {
  /** The EARN transaction that created it. */
  earnTx: number;
  points: number;
  remaining: number;
  /** Order of spending: backdated lots (by when they were backdated) before every lot still valid (by earn order). */
  expiryRank: number;
  expired: boolean;
}

export interface ModelHold {
  partner: number;
  points: number;
  status: 'OPEN' | 'CAPTURED' | 'VOIDED';
  capturedPoints: number | null;
}

export interface ModelClawback {
  partner: number;
  points: number;
  outstanding: number;
}

interface Movement {
  tx: number;
  lot: number;
  points: number;
}

export interface LedgerState {
  hasAccount: boolean;
  balance: number;
  pending: number;
  txs: ModelTx[];
  lots: ModelLot[];
  holds: ModelHold[];
  clawbacks: ModelClawback[];
  movements: Movement[];
  backdates: number;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; code: LedgerCode; field?: string };

const refused = (code: LedgerCode, field?: string): { ok: false; code: LedgerCode; field?: string } => (field ? { ok: false, code, field } : { ok: false, code });
const VALID_RANK = 1_000_000;

export class LedgerModel {
  state: LedgerState = { hasAccount: false, balance: 0, pending: 0, txs: [], lots: [], holds: [], clawbacks: [], movements: [], backdates: 0 };

  get available(): number {
    return this.state.balance - this.state.pending;
  }

  /** Transactions and postings written so far, as `ledgerCheck` counts them. */
  get counts(): { transactions: number; postings: number } {
    return { transactions: this.state.txs.length, postings: this.state.txs.reduce((sum, t) => sum + t.postings, 0) };
  }

  /** An earn of `points` (the partners earn one point per currency unit): a new lot, then clawbacks repaid. */
  earn(partner: number, points: number): Outcome<{ tx: number }> {
    return this.attempt((s) => {
      s.hasAccount = true;
      const tx = addTx(s, { kind: 'EARN', points, partner, postings: 2 });
      s.balance += points;
      s.lots.push({ earnTx: tx, points, remaining: points, expiryRank: VALID_RANK + s.lots.length, expired: false });
      settleClawbacks(s);
      return { ok: true, value: { tx } };
    });
  }

  redeem(partner: number, points: number): Outcome<{ tx: number }> {
    return this.attempt((s) => {
      const short = lockFunds(s, points);
      if (short) return short;
      const tx = addTx(s, { kind: 'REDEEM', points: -points, partner, postings: 2 });
      s.balance -= points;
      consumeLots(s, tx, points);
      return { ok: true, value: { tx } };
    });
  }

  authorize(partner: number, points: number): Outcome<{ hold: number }> {
    return this.attempt((s) => {
      const short = lockFunds(s, points);
      if (short) return short;
      s.holds.push({ partner, points, status: 'OPEN', capturedPoints: null });
      s.pending += points;
      return { ok: true, value: { hold: s.holds.length - 1 } };
    });
  }

  /** Captures all of a hold (`points` null) or part of it, by `partner`; the rest is released. */
  capture(partner: number, hold: number, points: number | null): Outcome<{ tx: number }> {
    return this.attempt((s) => {
      const h = s.holds[hold];
      const refusal = openHold(h, partner);
      if (refusal) return refusal;
      const take = points ?? h.points;
      if (take > h.points) return refused('BAD_USER_INPUT', 'points');
      h.status = 'CAPTURED';
      h.capturedPoints = take;
      s.pending -= h.points;
      const tx = addTx(s, { kind: 'REDEEM', points: -take, partner, postings: 2 });
      s.balance -= take;
      consumeLots(s, tx, take);
      settleClawbacks(s);
      return { ok: true, value: { tx } };
    });
  }

  void(partner: number, hold: number): Outcome<Record<string, never>> {
    return this.attempt((s) => {
      const h = s.holds[hold];
      const refusal = openHold(h, partner);
      if (refusal) return refusal;
      h.status = 'VOIDED';
      s.pending -= h.points;
      settleClawbacks(s);
      return { ok: true, value: {} };
    });
  }

  /** `reverseTransaction` of transaction `target` by `partner`. */
  reverse(partner: number, target: number): Outcome<{ tx: number }> {
    return this.attempt((s) => {
      const original = s.txs[target];
      if (!original || original.partner !== partner) return refused('NOT_FOUND');
      if (original.kind !== 'EARN' && original.kind !== 'REDEEM') return refused('BAD_USER_INPUT', 'transactionId');
      if (original.reversed) return refused('ALREADY_FINALIZED');
      original.reversed = true;
      expireDueLots(s);
      if (original.kind === 'REDEEM') {
        // The member gets exactly the points back, into the lots they came from.
        const spent = -original.points;
        const tx = addTx(s, { kind: 'REVERSAL', points: spent, partner, reverses: target, postings: 2 });
        s.balance += spent;
        const taken = new Map<number, number>();
        for (const m of s.movements) if (m.tx === target) taken.set(m.lot, (taken.get(m.lot) ?? 0) + m.points);
        for (const [lot, net] of taken) if (net < 0) move(s, tx, lot, -net);
        settleClawbacks(s);
        return { ok: true, value: { tx } };
      }
      // A refunded earn: each point it issued is settled by what became of it.
      const lotIndex = s.lots.findIndex((l) => l.earnTx === target);
      const lot = s.lots[lotIndex];
      const expired = -s.movements.filter((m) => m.lot === lotIndex && s.txs[m.tx].kind === 'EXPIRY').reduce((sum, m) => sum + m.points, 0);
      const available = s.balance - s.pending;
      const stillThere = Math.min(lot.remaining, Math.max(available, 0));
      const spent = original.points - lot.remaining - expired;
      const recoveredSpent = Math.min(spent, Math.max(available - stillThere, 0));
      const fromMember = stillThere + recoveredSpent;
      const owed = original.points - expired - fromMember;
      const postings = (fromMember !== 0 ? 1 : 0) + (expired !== 0 ? 1 : 0) + (fromMember + expired !== 0 ? 1 : 0);
      const tx = addTx(s, { kind: 'REVERSAL', points: 0 - fromMember, partner, reverses: target, postings }); // 0 - 0 is 0, -0 is not
      s.balance -= fromMember;
      consumeLots(s, tx, fromMember, { first: target });
      if (owed > 0) s.clawbacks.push({ partner, points: owed, outstanding: owed });
      return { ok: true, value: { tx } };
    });
  }

  /** Backdates lot `lot` (when there is one) and runs the expiry sweep; returns the points it expired. */
  expire(lot: number | null): number {
    const s = this.state;
    if (lot !== null) {
      s.lots[lot].expired = true;
      s.lots[lot].expiryRank = s.backdates++;
    }
    return expireDueLots(s);
  }

  /** `donatePoints`: the ledger's posting call expires due lots and commits that even when it refuses. */
  donate(points: number): Outcome<{ tx: number }> {
    const s = this.state;
    if (!s.hasAccount) return refused('INSUFFICIENT_POINTS');
    expireDueLots(s);
    if (s.balance - s.pending < points) return refused('INSUFFICIENT_POINTS');
    const tx = addTx(s, { kind: 'DONATION', points: -points, partner: null, postings: 2 });
    s.balance -= points;
    consumeLots(s, tx, points);
    return { ok: true, value: { tx } };
  }

  /** Runs `change` on a copy and keeps it only if the operation succeeds, as a rolled-back transaction would. */
  private attempt<T>(change: (s: LedgerState) => Outcome<T>): Outcome<T> {
    const copy = structuredClone(this.state);
    const outcome = change(copy);
    if (outcome.ok) this.state = copy;
    return outcome;
  }
}

function addTx(s: LedgerState, t: Pick<ModelTx, 'kind' | 'points' | 'partner' | 'postings'> & { reverses?: number }): number {
  s.txs.push({ kind: t.kind, points: t.points, partner: t.partner, reverses: t.reverses ?? null, reversed: false, postings: t.postings });
  return s.txs.length - 1;
}

function openHold(h: ModelHold | undefined, partner: number): Outcome<never> | null {
  if (!h || h.partner !== partner) return refused('NOT_FOUND');
  if (h.status !== 'OPEN') return refused('ALREADY_FINALIZED');
  return null;
}

/** A spend's checks: the account exists, due lots expire first, and `points` are available. */
function lockFunds(s: LedgerState, points: number): Outcome<never> | null {
  if (!s.hasAccount) return refused('INSUFFICIENT_POINTS');
  expireDueLots(s);
  return s.balance - s.pending < points ? refused('INSUFFICIENT_POINTS') : null;
}

function move(s: LedgerState, tx: number, lot: number, points: number): void {
  s.lots[lot].remaining += points;
  s.movements.push({ tx, lot, points });
}

/** Takes `points` from lots, oldest expiry first (a refund's own lot first); any lot with points, expired or not. */
function consumeLots(s: LedgerState, tx: number, points: number, options: { first?: number; onlyExpired?: boolean } = {}): void {
  const order = s.lots
    .map((lot, index) => ({ lot, index }))
    .filter(({ lot }) => lot.remaining > 0 && (!options.onlyExpired || lot.expired))
    .sort((a, b) => Number(b.lot.earnTx === options.first) - Number(a.lot.earnTx === options.first) || a.lot.expiryRank - b.lot.expiryRank || a.index - b.index);
  let left = points;
  for (const { lot, index } of order) {
    if (left === 0) break;
    const take = Math.min(lot.remaining, left);
    move(s, tx, index, -take);
    left -= take;
  }
  if (left > 0) throw new Error(`model: lots hold ${points - left} of the ${points} points to take`);
}

/** Expired lots go to breakage, except what open holds reserve (they drew on the oldest lots). */
function expireDueLots(s: LedgerState): number {
  const expired = s.lots.filter((l) => l.expired).reduce((sum, l) => sum + l.remaining, 0);
  const points = expired - s.pending;
  if (expired === 0 || points <= 0) return 0;
  const tx = addTx(s, { kind: 'EXPIRY', points: -points, partner: null, postings: 2 });
  s.balance -= points;
  consumeLots(s, tx, points, { onlyExpired: true });
  return points;
}

/** Available points repay outstanding clawbacks first, oldest first, one CLAWBACK transaction each. */
function settleClawbacks(s: LedgerState): void {
  let left = s.balance - s.pending;
  for (const debt of s.clawbacks) {
    if (left <= 0) break;
    if (debt.outstanding === 0) continue;
    const take = Math.min(debt.outstanding, left);
    const tx = addTx(s, { kind: 'CLAWBACK', points: -take, partner: debt.partner, postings: 2 });
    s.balance -= take;
    consumeLots(s, tx, take);
    debt.outstanding -= take;
    left -= take;
  }
}
