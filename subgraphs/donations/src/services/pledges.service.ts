import { type DataSource } from 'typeorm';
import {
  AppError,
  badInput,
  currency as parseCurrency,
  forbidden,
  isAdmin,
  notFound,
  parseScaled,
  requireMember,
  requireService,
  sql,
  validate,
  type Viewer,
} from '../../../shared/src';
import { crashPoint, type GivingConfig } from './giving.config';
import { type DonationsPartnersClient } from '../clients/partners.client';
import { type ReceiptsService } from './receipts.service';

export interface PledgeEvent {
  eventId: string;
  kind: 'EARN' | 'EARN_REVERSAL';
  earnId: string;
  partnerId: string;
  memberId: string;
  purchaseMinor: string;
  currency: string;
  occurredAt: string;
}

export type AccrualOutcome = 'ACCRUAL' | 'REVERSAL' | 'NO_PLEDGE';

/** Pledged money: purchase (minor units) × basis points / 10,000, rounded down (the partner never owes a fraction of a minor unit). */
export function pledgeMinor(purchaseMinor: bigint, basisPoints: number): bigint {
  return (purchaseMinor * BigInt(basisPoints)) / 10_000n;
}

/**
 * Value-based pledges. A partner pledges a percentage of each purchase (effective dated, appended,
 * never edited); a member chooses a cause (a history, also appended). Each earn event relayed from the
 * ledger's outbox is consumed exactly once (the event id is unique): it accrues money the partner owes
 * the member's cause at the earn's time, or is recorded as "no pledge". A reversed earn reverses its
 * accrual with the same mechanism. Each accrual and reversal gets a receipt in the charity's chain.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, CHARITY_INACTIVE, PARTNER_SUSPENDED.
 */
export class PledgesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly receipts: ReceiptsService,
    private readonly config: GivingConfig,
    private readonly partners: DonationsPartnersClient,
  ) {}

  /** A partner (points:earn, itself) or the admin sets the pledge in force from `validFrom` (default now). */
  async setPledge(viewer: Viewer, input: { partnerId?: string | null; percent: string; validFrom?: string | null }, requestId: string): Promise<{ id: string; partnerId: string; basisPoints: number; validFrom: Date }> {
    let partnerId: string;
    if (isAdmin(viewer)) {
      if (!input.partnerId) throw badInput('partnerId', 'is required for the admin');
      partnerId = validate.uuid('partnerId', input.partnerId);
    } else if (viewer.partnerId && viewer.scopes.has('points:earn')) {
      if (input.partnerId && validate.uuid('partnerId', input.partnerId) !== viewer.partnerId) throw forbidden('A partner pledges for itself only');
      partnerId = viewer.partnerId;
    } else {
      throw forbidden('Requires admin, or a partner token with points:earn');
    }
    const basisPoints = Number(parseScaled('percent', input.percent, 2, 6));
    if (basisPoints > 10_000) throw badInput('percent', 'must be at most 100');
    const validFrom = input.validFrom ? validate.instant('validFrom', input.validFrom) : null;
    if (validFrom && validFrom.getTime() < Date.now() - 60_000) throw badInput('validFrom', 'must not be in the past: accrued pledges stay as they were');
    await this.partners.requireActivePartner(viewer, partnerId, requestId);
    const { rows } = await sql<{ id: string; valid_from: Date }>(
      this.dataSource.manager,
      `INSERT INTO pledges (partner_id, basis_points, valid_from) VALUES ($1, $2, coalesce($3, clock_timestamp())) RETURNING id, valid_from`,
      [partnerId, basisPoints, validFrom],
    );
    return { id: rows[0].id, partnerId, basisPoints, validFrom: rows[0].valid_from };
  }

  /** The calling member's cause from now on (null: none). Only active, verified charities. */
  async chooseCause(viewer: Viewer, input: { charityId?: string | null }): Promise<string | null> {
    const memberId = requireMember(viewer);
    const charityId = input.charityId == null ? null : validate.uuid('charityId', input.charityId);
    if (charityId) {
      const { rows } = await sql<{ status: string; verification: string }>(this.dataSource.manager, 'SELECT status, verification FROM charities WHERE id = $1', [charityId]);
      if (!rows[0]) throw notFound('Charity');
      if (rows[0].status !== 'ACTIVE' || rows[0].verification !== 'VERIFIED') throw new AppError('CHARITY_INACTIVE');
    }
    await sql(this.dataSource.manager, 'INSERT INTO member_causes (member_id, charity_id) VALUES ($1, $2)', [memberId, charityId]);
    return charityId;
  }

  async causeOf(memberId: string): Promise<string | null> {
    const { rows } = await sql<{ charity_id: string | null }>(
      this.dataSource.manager,
      'SELECT charity_id FROM member_causes WHERE member_id = $1 ORDER BY valid_from DESC, id DESC LIMIT 1',
      [memberId],
    );
    return rows[0]?.charity_id ?? null;
  }

  /** Consumes one earn event exactly once (the points service's credential only). */
  async record(viewer: Viewer, event: PledgeEvent): Promise<{ eventId: string; outcome: AccrualOutcome }> {
    requireService(viewer, 'points', 'pledges:record');
    const eventId = validate.uuid('eventId', event.eventId);
    const earnId = validate.uuid('earnId', event.earnId);
    const partnerId = validate.uuid('partnerId', event.partnerId);
    const memberId = validate.uuid('memberId', event.memberId);
    if (!/^\d{1,18}$/.test(event.purchaseMinor)) throw badInput('purchaseMinor', 'must be a whole number of minor units');
    const purchaseMinor = BigInt(event.purchaseMinor);
    const currency = parseCurrency('currency', event.currency);
    const occurredAt = validate.instant('occurredAt', event.occurredAt);

    const outcome = await this.dataSource.transaction(async (manager) => {
      // Replays of one event serialise on its id (the unique index); the first answer stands. For an earn,
      // the pledge and the member's cause in force at its time come in the same statement.
      const earn = event.kind === 'EARN';
      const { rows: facts } = await sql<{
        known: AccrualOutcome | null;
        pledge_id: string | null;
        basis_points: number | null;
        charity_id: string | null;
        status: string | null;
        verification: string | null;
      }>(
        manager,
        `SELECT (SELECT kind FROM pledge_accruals WHERE event_id = $1) AS known, p.id AS pledge_id, p.basis_points, c.charity_id, c.status, c.verification
           FROM (SELECT $5::boolean AS earn) e
           LEFT JOIN LATERAL (SELECT id, basis_points FROM pledges WHERE e.earn AND partner_id = $2 AND valid_from <= $4
                               ORDER BY valid_from DESC, created_at DESC LIMIT 1) p ON true
           LEFT JOIN LATERAL (SELECT mc.charity_id, ch.status, ch.verification FROM member_causes mc LEFT JOIN charities ch ON ch.id = mc.charity_id
                               WHERE e.earn AND mc.member_id = $3 AND mc.valid_from <= $4 ORDER BY mc.valid_from DESC, mc.id DESC LIMIT 1) c ON true`,
        [eventId, partnerId, memberId, occurredAt, earn],
      );
      if (facts[0].known) return facts[0].known;
      let kind: AccrualOutcome = 'NO_PLEDGE';
      let charityId: string | null = null;
      let pledgeId: string | null = null;
      let basisPoints: number | null = null;
      let amount = 0n;
      if (earn) {
        const f = facts[0];
        if (f.pledge_id && f.basis_points !== null && f.basis_points > 0 && f.charity_id && f.status === 'ACTIVE' && f.verification === 'VERIFIED') {
          kind = 'ACCRUAL';
          charityId = f.charity_id;
          pledgeId = f.pledge_id;
          basisPoints = f.basis_points;
          amount = pledgeMinor(purchaseMinor, f.basis_points);
        }
      } else {
        const original = await sql<{ kind: AccrualOutcome; charity_id: string | null; pledge_id: string | null; basis_points: number | null; amount_minor: string }>(
          manager,
          'SELECT kind, charity_id, pledge_id, basis_points, amount_minor::text FROM pledge_accruals WHERE event_id = $1',
          [earnId],
        );
        // The relay delivers in order; an earn not yet consumed is an error, retried later.
        if (!original.rows[0]) throw notFound('Earn event');
        const o = original.rows[0];
        if (o.kind === 'ACCRUAL') {
          kind = 'REVERSAL';
          charityId = o.charity_id;
          pledgeId = o.pledge_id;
          basisPoints = o.basis_points;
          amount = -BigInt(o.amount_minor);
        }
      }
      const { rows } = await sql<{ id: string }>(
        manager,
        `INSERT INTO pledge_accruals (event_id, kind, earn_id, partner_id, member_id, charity_id, pledge_id, basis_points, purchase_minor, amount_minor, currency, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
        [eventId, kind, earnId, partnerId, memberId, charityId, pledgeId, basisPoints, purchaseMinor.toString(), amount.toString(), currency, occurredAt],
      );
      if (charityId && kind !== 'NO_PLEDGE') {
        await this.receipts.append(manager, {
          charityId,
          kind: kind === 'ACCRUAL' ? 'PLEDGE' : 'PLEDGE_REVERSAL',
          subjectId: rows[0].id,
          points: null,
          amountMinor: amount,
          currency,
        });
      }
      return kind;
    });
    crashPoint(this.config, 'pledge-write');
    return { eventId, outcome };
  }
}
