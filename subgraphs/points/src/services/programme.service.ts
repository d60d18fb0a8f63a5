import { randomUUID } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import { AppError, badInput, callerOf, forbidden, idempotent, isAdmin, recordAudit, requireScope, validate, validateIdempotencyKey, type Viewer } from '../../../../lib/src';
import { insertTierOverride, isPast, tierOverrideById, type TierOverrideRow } from '../persistence/tier-status.repository';
import { type Campaign } from '../domain/campaign.rules';
import { MULTIPLIER_SCALE, tierTableProblem, type Tier } from '../domain/tier.rules';
import { type FundingMode } from '../persistence/funding.repository';
import { insertCampaign, listCampaigns, readPricingContexts, readTiers, type PricingRequest, replaceTiers, type PricingContext } from '../persistence/tiers-campaigns.repository';

export interface CampaignInput {
  name: string;
  partnerId?: string | null;
  multiplier?: string | null;
  bonusPoints?: number | null;
  startsAt: string;
  endsAt: string;
}

/** "1.25" -> 1250n: multipliers have at most 3 decimals, from 1 to 10. */
export function parseMultiplier(field: string, value: string): bigint {
  const match = /^(\d{1,2})(?:\.(\d{1,3}))?$/.exec(value.trim());
  if (!match) throw badInput(field, 'must be a decimal such as "1.5" with at most 3 decimals');
  const milli = BigInt(match[1]) * MULTIPLIER_SCALE + BigInt((match[2] ?? '').padEnd(3, '0'));
  if (milli < MULTIPLIER_SCALE || milli > 10n * MULTIPLIER_SCALE) throw badInput(field, 'must be between 1 and 10');
  return milli;
}

export function formatMultiplier(milli: bigint): string {
  const whole = milli / MULTIPLIER_SCALE;
  const fraction = (milli % MULTIPLIER_SCALE).toString().padStart(3, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole.toString();
}

function timestamp(field: string, value: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw badInput(field, 'must be an ISO 8601 time with a zone, such as 2026-12-01T00:00:00Z');
  }
  return new Date(value);
}

/**
 * The programme's rules that the admin and partners set: the tier table (admin) and time-boxed earn
 * campaigns (a partner for itself, the admin for any partner or the whole coalition).
 * Raises: FORBIDDEN, BAD_USER_INPUT.
 */
export class ProgrammeService {
  constructor(private readonly dataSource: DataSource) {}

  async tiers(manager: EntityManager = this.dataSource.manager): Promise<Tier[]> {
    return readTiers(manager);
  }

  /** Replaces the whole tier table at once; members' tiers follow at their next read or earn. */
  async configureTiers(viewer: Viewer, input: { name: string; threshold: number; multiplier: string }[]): Promise<Tier[]> {
    if (!isAdmin(viewer)) throw forbidden('Requires scope: admin');
    const tiers = input.map((t, i) => ({
      name: validate.text(`tiers.${i}.name`, t.name, 50),
      threshold: BigInt(validate.points(`tiers.${i}.threshold`, t.threshold, 0)),
      multiplierMilli: parseMultiplier(`tiers.${i}.multiplier`, t.multiplier),
    }));
    const problem = tierTableProblem(tiers);
    if (problem) throw badInput(problem.field === 'tiers' ? 'tiers' : `tiers.${problem.index}.${problem.field}`, problem.message);
    await this.dataSource.transaction(async (manager) => {
      await replaceTiers(manager, tiers);
      await recordAudit(manager, viewer, null);
    });
    return this.tiers();
  }

  async createCampaign(viewer: Viewer, input: CampaignInput): Promise<Campaign> {
    let partnerId: string | null;
    if (isAdmin(viewer)) {
      partnerId = input.partnerId == null ? null : validate.uuid('partnerId', input.partnerId);
    } else {
      requireScope(viewer, 'points:earn');
      if (!viewer.partnerId) throw forbidden('Requires a partner token');
      if (input.partnerId != null && input.partnerId !== viewer.partnerId) throw forbidden('A partner runs campaigns for itself only');
      partnerId = viewer.partnerId;
    }
    const name = validate.text('name', input.name, 200);
    const multiplierMilli = input.multiplier == null ? MULTIPLIER_SCALE : parseMultiplier('multiplier', input.multiplier);
    const bonus = input.bonusPoints == null ? 0 : validate.points('bonusPoints', input.bonusPoints, 0);
    if (bonus > 1_000_000) throw badInput('bonusPoints', 'must be at most 1000000');
    if (multiplierMilli === MULTIPLIER_SCALE && bonus === 0) throw badInput('multiplier', 'a campaign needs a multiplier above 1 or bonus points');
    const startsAt = timestamp('startsAt', input.startsAt);
    const endsAt = timestamp('endsAt', input.endsAt);
    if (endsAt <= startsAt) throw badInput('endsAt', 'must be after startsAt');
    const campaign: Campaign = { id: randomUUID(), partnerId, name, multiplierMilli, bonusPoints: BigInt(bonus), startsAt, endsAt };
    await insertCampaign(this.dataSource.manager, campaign, viewer.subject);
    return campaign;
  }

  /** Campaigns a viewer may see: a partner its own and the coalition-wide ones; the admin all. */
  async campaigns(viewer: Viewer): Promise<Campaign[]> {
    if (!isAdmin(viewer) && !viewer.partnerId) throw new AppError('FORBIDDEN', 'Campaigns are for partners and the admin');
    return listCampaigns(this.dataSource.manager, isAdmin(viewer) ? null : (viewer.partnerId ?? null));
  }

  /**
   * The admin sets a member's tier until `endsAt` (exclusive), with a reason: it wins over qualifying points
   * and retention until then (a later override replaces it). Idempotent by key,
   * audited. The member needs no points account. Raises FORBIDDEN, BAD_USER_INPUT (unknown tier, an end not
   * in the future nor more than 10 years ahead, an empty reason), IDEMPOTENCY_KEY_REUSED.
   */
  async overrideTier(viewer: Viewer, input: { memberId: string; tier: string; endsAt: string; reason: string; idempotencyKey: string }): Promise<TierOverrideRow> {
    if (!isAdmin(viewer)) throw forbidden('Requires scope: admin');
    const memberId = validate.uuid('memberId', input.memberId);
    const reason = validate.text('reason', input.reason, 500);
    const endsAt = timestamp('endsAt', input.endsAt);
    if (endsAt.getTime() > Date.now() + 10 * 366 * 86_400_000) throw badInput('endsAt', 'must be within 10 years');
    validateIdempotencyKey(input.idempotencyKey);
    const tiers = await this.tiers();
    const tier = tiers.find((t) => t.name.toLowerCase() === input.tier.trim().toLowerCase());
    if (!tier) throw badInput('tier', `must be one of the tiers: ${tiers.map((t) => t.name).join(', ') || 'none configured'}`);
    const request = { caller: callerOf(viewer), operation: 'overrideMemberTier', key: input.idempotencyKey, input };
    const outcome = await this.dataSource.transaction((manager) =>
      idempotent(manager, request, async () => {
        if (await isPast(manager, endsAt)) throw badInput('endsAt', 'must be in the future');
        const row = await insertTierOverride(manager, { memberId, tierName: tier.name, endsAt, reason, setBy: viewer.subject });
        await recordAudit(manager, viewer, row.id);
        return { overrideId: row.id };
      }),
    );
    return (await tierOverrideById(this.dataSource.manager, outcome.result.overrideId))!;
  }

  /**
   * What prices each earn (at its partner, for its member), read in the earns' transaction after the members'
   * accounts are locked, with the earns' funding locks taken for those accounts (see readPricingContexts).
   */
  async pricingContexts(manager: EntityManager, earns: readonly PricingRequest[]): Promise<(PricingContext & { funding: FundingMode | null })[]> {
    return readPricingContexts(manager, earns);
  }
}
