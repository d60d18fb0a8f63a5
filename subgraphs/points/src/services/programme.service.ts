import { randomUUID } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import { AppError, badInput, forbidden, isAdmin, recordAudit, requireScope, sql, validate, type Viewer } from '../../../shared/src';
import { type CampaignTerms } from '../domain/campaign.rules';
import { MULTIPLIER_SCALE, tierTableProblem, type Tier } from '../domain/tier.rules';

export interface Campaign extends CampaignTerms {
  id: string;
  partnerId: string | null;
  name: string;
  startsAt: Date;
  endsAt: Date;
}

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

/** Points from earns in the last 12 months that were not reversed: what places a member in a tier. */
export const qualifyingPointsSql = (memberParam: string): string =>
  `SELECT coalesce(sum(t.points), 0)::text FROM transactions t
    WHERE t.member_id = ${memberParam} AND t.kind = 'EARN' AND t.created_at > now() - interval '12 months'
      AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.reverses = t.id)`;

/** What prices an earn: the tier table, the partner's running campaigns, the member's qualifying points. */
export interface PricingContext {
  tiers: Tier[];
  campaigns: Campaign[];
  qualifying: bigint;
}

/**
 * The programme's rules that the admin and partners set: the tier table (admin) and time-boxed earn
 * campaigns (a partner for itself, the admin for any partner or the whole coalition).
 * Raises: FORBIDDEN, BAD_USER_INPUT.
 */
export class ProgrammeService {
  constructor(private readonly dataSource: DataSource) {}

  async tiers(manager: EntityManager = this.dataSource.manager): Promise<Tier[]> {
    const { rows } = await sql<{ name: string; threshold: string; multiplier_milli: number }>(
      manager,
      'SELECT name, threshold, multiplier_milli FROM tiers ORDER BY threshold',
    );
    return rows.map((r) => ({ name: r.name, threshold: BigInt(r.threshold), multiplierMilli: BigInt(r.multiplier_milli) }));
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
      await sql(manager, 'LOCK TABLE tiers IN EXCLUSIVE MODE');
      await sql(manager, 'DELETE FROM tiers');
      for (const t of tiers) {
        await sql(manager, 'INSERT INTO tiers (name, threshold, multiplier_milli) VALUES ($1, $2, $3)', [t.name, t.threshold.toString(), t.multiplierMilli.toString()]);
      }
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
    const id = randomUUID();
    await sql(
      this.dataSource.manager,
      `INSERT INTO campaigns (id, partner_id, name, multiplier_milli, bonus_points, starts_at, ends_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, partnerId, name, multiplierMilli.toString(), bonus, startsAt, endsAt, viewer.subject],
    );
    return { id, partnerId, name, multiplierMilli, bonusPoints: BigInt(bonus), startsAt, endsAt };
  }

  /** Campaigns a viewer may see: a partner its own and the coalition-wide ones; the admin all. */
  async campaigns(viewer: Viewer): Promise<Campaign[]> {
    if (!isAdmin(viewer) && !viewer.partnerId) throw new AppError('FORBIDDEN', 'Campaigns are for partners and the admin');
    const { rows } = await sql<{ id: string; partner_id: string | null; name: string; multiplier_milli: number; bonus_points: string; starts_at: Date; ends_at: Date }>(
      this.dataSource.manager,
      `SELECT * FROM campaigns WHERE $1::uuid IS NULL OR partner_id = $1 OR partner_id IS NULL ORDER BY starts_at DESC, id LIMIT 200`,
      [isAdmin(viewer) ? null : viewer.partnerId],
    );
    return rows.map(toCampaign);
  }

  /**
   * The PricingContext of an earn in one round trip (an earn's statements are its main cost): the tiers,
   * the campaigns in force now at `partnerId` (its own and the coalition-wide ones), the member's standing.
   */
  async pricingContext(manager: EntityManager, partnerId: string, memberId: string): Promise<PricingContext> {
    type Row = { name: string; threshold: string; multiplier_milli: number };
    type CampaignJson = Omit<CampaignRow, 'starts_at' | 'ends_at'> & { starts_at: string; ends_at: string };
    const { rows } = await sql<{ tiers: Row[] | null; campaigns: CampaignJson[] | null; qualifying: string }>(
      manager,
      `SELECT (SELECT json_agg(json_build_object('name', name, 'threshold', threshold::text, 'multiplier_milli', multiplier_milli) ORDER BY threshold) FROM tiers) AS tiers,
              (SELECT json_agg(json_build_object('id', id, 'partner_id', partner_id, 'name', name, 'multiplier_milli', multiplier_milli,
                                                 'bonus_points', bonus_points::text, 'starts_at', starts_at, 'ends_at', ends_at) ORDER BY id)
                 FROM campaigns WHERE (partner_id = $1 OR partner_id IS NULL) AND starts_at <= now() AND ends_at > now()) AS campaigns,
              (${qualifyingPointsSql('$2')}) AS qualifying`,
      [partnerId, memberId],
    );
    const row = rows[0];
    return {
      tiers: (row.tiers ?? []).map((r) => ({ name: r.name, threshold: BigInt(r.threshold), multiplierMilli: BigInt(r.multiplier_milli) })),
      campaigns: (row.campaigns ?? []).map((c) => toCampaign({ ...c, starts_at: new Date(c.starts_at), ends_at: new Date(c.ends_at) })),
      qualifying: BigInt(row.qualifying),
    };
  }
}

type CampaignRow = { id: string; partner_id: string | null; name: string; multiplier_milli: number; bonus_points: string; starts_at: Date; ends_at: Date };

function toCampaign(r: CampaignRow): Campaign {
  return {
    id: r.id,
    partnerId: r.partner_id,
    name: r.name,
    multiplierMilli: BigInt(r.multiplier_milli),
    bonusPoints: BigInt(r.bonus_points),
    startsAt: r.starts_at,
    endsAt: r.ends_at,
  };
}
