import { type DataSource, type EntityManager } from 'typeorm';
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
  validate,
  type Viewer,
} from '../../../../lib/src';
import { charityStanding } from '../persistence/charities.repository';
import {
  accrualOfEvent,
  currentCause,
  eventFacts,
  eventFactsMany,
  insertAccrual,
  insertAccruals,
  insertMemberCause,
  insertPledge,
  type AccrualKind,
  type EventFacts,
  type NewAccrual,
} from '../persistence/pledges.repository';
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

export type AccrualOutcome = AccrualKind;

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
    const pledge = await insertPledge(this.dataSource.manager, partnerId, basisPoints, validFrom);
    return { id: pledge.id, partnerId, basisPoints, validFrom: pledge.validFrom };
  }

  /** The calling member's cause from now on (null: none). Only active, verified charities. */
  async chooseCause(viewer: Viewer, input: { charityId?: string | null }): Promise<string | null> {
    const memberId = requireMember(viewer);
    const charityId = input.charityId == null ? null : validate.uuid('charityId', input.charityId);
    if (charityId) {
      const charity = await charityStanding(this.dataSource.manager, charityId);
      if (!charity) throw notFound('Charity');
      if (charity.status !== 'ACTIVE' || charity.verification !== 'VERIFIED') throw new AppError('CHARITY_INACTIVE');
    }
    await insertMemberCause(this.dataSource.manager, memberId, charityId);
    return charityId;
  }

  async causeOf(memberId: string): Promise<string | null> {
    return currentCause(this.dataSource.manager, memberId);
  }

  /** Consumes one earn event exactly once (the points service's credential only). */
  async record(viewer: Viewer, event: PledgeEvent): Promise<{ eventId: string; outcome: AccrualOutcome }> {
    requireService(viewer, 'points', 'pledges:record');
    const parsed = parseEvent(event);
    const outcome = await this.dataSource.transaction((manager) => this.consume(manager, parsed));
    crashPoint(this.config, 'pledge-write');
    return { eventId: parsed.eventId, outcome };
  }

  /**
   * Consumes a batch of events (at most MAX_PLEDGE_BATCH, in the relay's order) in one transaction, each
   * exactly as `record` would: one call and one commit for a relay round instead of one per earn. All or
   * nothing: one event refused fails the batch (the relay then delivers that round one event at a time).
   */
  async recordMany(viewer: Viewer, events: readonly PledgeEvent[]): Promise<{ eventId: string; outcome: AccrualOutcome }[]> {
    requireService(viewer, 'points', 'pledges:record');
    if (events.length === 0 || events.length > MAX_PLEDGE_BATCH) throw badInput('events', `must hold 1 to ${MAX_PLEDGE_BATCH} events`);
    const parsed = events.map(parseEvent);
    const outcomes = await this.dataSource.transaction((manager) => this.consumeAll(manager, parsed));
    crashPoint(this.config, 'pledge-write');
    return parsed.map((e, i) => ({ eventId: e.eventId, outcome: outcomes[i] }));
  }

  /**
   * A round's accruals, in the caller's transaction. A round of earns only (each event once; the relay's
   * usual round) is read in one statement and written in one: no earn's accrual depends on another's. A
   * round with reversals goes one event at a time, in order, since a reversal reads its earn's accrual,
   * which may be in the same round.
   */
  private async consumeAll(manager: EntityManager, events: readonly ParsedPledgeEvent[]): Promise<AccrualOutcome[]> {
    if (!events.every((e) => e.kind === 'EARN') || new Set(events.map((e) => e.eventId)).size !== events.length) {
      const out: AccrualOutcome[] = [];
      for (const event of events) out.push(await this.consume(manager, event));
      return out;
    }
    const facts = await eventFactsMany(manager, events.map((e) => ({ ...e, earn: true })));
    const accruals = events.map((e, i) => (facts[i].known ? null : earnAccrual(e, facts[i])));
    const recorded = accruals.filter((a): a is NewAccrual => a !== null);
    const ids = await insertAccruals(manager, recorded);
    for (const [i, a] of recorded.entries()) await this.receipt(manager, a, ids[i]);
    return events.map((_, i) => facts[i].known ?? (accruals[i] as NewAccrual).kind);
  }

  /** One event's accrual, in the caller's transaction: the first answer for an event id stands. */
  private async consume(manager: EntityManager, e: ParsedPledgeEvent): Promise<AccrualOutcome> {
    const { eventId, earnId, partnerId, memberId, purchaseMinor, currency, occurredAt } = e;
    // Replays of one event serialise on its id (the unique index); the first answer stands. For an earn,
    // the pledge and the member's cause in force at its time come in the same statement.
    const earn = e.kind === 'EARN';
    const facts = await eventFacts(manager, { eventId, partnerId, memberId, occurredAt, earn });
    if (facts.known) return facts.known;
    let accrual: NewAccrual;
    if (earn) {
      accrual = earnAccrual(e, facts);
    } else {
      const o = await accrualOfEvent(manager, earnId);
      // The relay delivers in order; an earn not yet consumed is an error, retried later.
      if (!o) throw notFound('Earn event');
      const reversal = o.kind === 'ACCRUAL';
      accrual = {
        eventId,
        kind: reversal ? 'REVERSAL' : 'NO_PLEDGE',
        earnId,
        partnerId,
        memberId,
        charityId: reversal ? o.charity_id : null,
        pledgeId: reversal ? o.pledge_id : null,
        basisPoints: reversal ? o.basis_points : null,
        purchaseMinor,
        amountMinor: reversal ? -BigInt(o.amount_minor) : 0n,
        currency,
        occurredAt,
      };
    }
    await this.receipt(manager, accrual, await insertAccrual(manager, accrual));
    return accrual.kind;
  }

  /** A pledge accrual (or its reversal) for a charity goes on that charity's receipt chain. */
  private async receipt(manager: EntityManager, a: NewAccrual, accrualId: string): Promise<void> {
    if (!a.charityId || a.kind === 'NO_PLEDGE') return;
    await this.receipts.append(manager, {
      charityId: a.charityId,
      kind: a.kind === 'ACCRUAL' ? 'PLEDGE' : 'PLEDGE_REVERSAL',
      subjectId: accrualId,
      points: null,
      amountMinor: a.amountMinor,
      currency: a.currency,
    });
  }
}

/**
 * What an earn event accrues: the partner's pledge in force at the earn's time, for the member's cause then,
 * if its charity is active and verified; otherwise nothing (NO_PLEDGE, recorded so a replay answers the same).
 */
function earnAccrual(e: ParsedPledgeEvent, f: EventFacts): NewAccrual {
  const pledged = f.pledge_id && f.basis_points !== null && f.basis_points > 0 && f.charity_id && f.status === 'ACTIVE' && f.verification === 'VERIFIED';
  return {
    eventId: e.eventId,
    kind: pledged ? 'ACCRUAL' : 'NO_PLEDGE',
    earnId: e.earnId,
    partnerId: e.partnerId,
    memberId: e.memberId,
    charityId: pledged ? f.charity_id : null,
    pledgeId: pledged ? f.pledge_id : null,
    basisPoints: pledged ? f.basis_points : null,
    purchaseMinor: e.purchaseMinor,
    amountMinor: pledged ? pledgeMinor(e.purchaseMinor, f.basis_points as number) : 0n,
    currency: e.currency,
    occurredAt: e.occurredAt,
  };
}

/** The most events one recordPledgeAccruals call takes (a relay round). */
export const MAX_PLEDGE_BATCH = 200;

interface ParsedPledgeEvent {
  eventId: string;
  kind: PledgeEvent['kind'];
  earnId: string;
  partnerId: string;
  memberId: string;
  purchaseMinor: bigint;
  currency: string;
  occurredAt: Date;
}

function parseEvent(event: PledgeEvent): ParsedPledgeEvent {
  if (!/^\d{1,18}$/.test(event.purchaseMinor)) throw badInput('purchaseMinor', 'must be a whole number of minor units');
  return {
    eventId: validate.uuid('eventId', event.eventId),
    kind: event.kind,
    earnId: validate.uuid('earnId', event.earnId),
    partnerId: validate.uuid('partnerId', event.partnerId),
    memberId: validate.uuid('memberId', event.memberId),
    purchaseMinor: BigInt(event.purchaseMinor),
    currency: parseCurrency('currency', event.currency),
    occurredAt: validate.instant('occurredAt', event.occurredAt),
  };
}
