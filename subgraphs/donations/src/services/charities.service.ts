import { type DataSource, type EntityManager, In } from 'typeorm';
import { badInput, callerOf, idempotentIfKeyed, isAdmin, isSelf, forbidden, notFound, recordAudit, requireAdmin, sql, validate, MAX_PAGE_SIZE, pageAfter, type Page, type Viewer } from '../../../shared/src';
import { CharityEntity, DonationEntity } from '../persistence/charity.entity';

export interface GoalRow {
  id: string;
  title: string;
  target_points: string;
  starts_at: Date;
  ends_at: Date;
  progress_points: string;
}

/**
 * Onboards charities and reads them and members' donations.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class CharitiesService {
  constructor(private readonly dataSource: DataSource) {}

  async create(viewer: Viewer, input: { name: string; description?: string | null; verified?: boolean | null; idempotencyKey?: string | null }): Promise<CharityEntity> {
    requireAdmin(viewer);
    const name = validate.text('name', input.name, 200);
    const description = input.description == null ? null : validate.text('description', input.description, 2000);
    // The operator onboarding a charity vouches for it unless it says otherwise (verified: false).
    const verified = input.verified !== false;
    const insert = async (manager: EntityManager): Promise<{ charityId: string }> => {
      const { rows } = await sql<{ id: string }>(
        manager,
        `INSERT INTO charities (name, name_normalized, description, verification, verified_at)
         VALUES ($1, lower($1), $2, $3, CASE WHEN $3 = 'VERIFIED' THEN now() END)
         ON CONFLICT (name_normalized) DO NOTHING RETURNING id`,
        [name, description, verified ? 'VERIFIED' : 'UNVERIFIED'],
      );
      if (!rows[0]) throw badInput('name', 'a charity with this name already exists');
      await recordAudit(manager, viewer, rows[0].id);
      return { charityId: rows[0].id };
    };
    const { charityId } = await this.dataSource.transaction(async (manager) => {
      return idempotentIfKeyed(manager, { caller: callerOf(viewer), operation: 'createCharity', key: input.idempotencyKey, input }, () => insert(manager));
    });
    const charity = await this.dataSource.getRepository(CharityEntity).findOneBy({ id: charityId });
    if (!charity) throw notFound('Charity');
    return charity;
  }

  /**
   * The admin changes a charity's status (ACTIVE/INACTIVE), verification (VERIFIED/UNVERIFIED/REJECTED)
   * or description. Only ACTIVE and VERIFIED charities receive donations, pledges and matches.
   */
  async update(
    viewer: Viewer,
    input: { charityId: string; status?: 'ACTIVE' | 'INACTIVE' | null; verification?: 'UNVERIFIED' | 'VERIFIED' | 'REJECTED' | null; description?: string | null },
  ): Promise<CharityEntity> {
    requireAdmin(viewer);
    const id = validate.uuid('charityId', input.charityId);
    const description = input.description == null ? null : validate.text('description', input.description, 2000);
    await this.dataSource.transaction(async (manager) => {
      const { rows } = await sql<{ id: string }>(
        manager,
        `UPDATE charities SET status = coalesce($2, status), verification = coalesce($3, verification), description = coalesce($4, description),
                verified_at = CASE WHEN $3 = 'VERIFIED' AND verification <> 'VERIFIED' THEN now() WHEN $3 IS NULL OR $3 = 'VERIFIED' THEN verified_at END
          WHERE id = $1 RETURNING id`,
        [id, input.status ?? null, input.verification ?? null, description],
      );
      if (!rows[0]) throw notFound('Charity');
      await recordAudit(manager, viewer, id);
    });
    const charity = await this.byId(id);
    if (!charity) throw notFound('Charity');
    return charity;
  }

  /** The admin sets a goal: a target of points over a period; progress is live. */
  async createGoal(viewer: Viewer, input: { charityId: string; title: string; targetPoints: number; startsAt: string; endsAt: string }): Promise<GoalRow> {
    requireAdmin(viewer);
    const charityId = validate.uuid('charityId', input.charityId);
    const title = validate.text('title', input.title, 200);
    const target = validate.points('targetPoints', input.targetPoints, 1);
    const startsAt = validate.instant('startsAt', input.startsAt);
    const endsAt = validate.instant('endsAt', input.endsAt);
    if (endsAt <= startsAt) throw badInput('endsAt', 'must be after startsAt');
    if (!(await this.byId(charityId))) throw notFound('Charity');
    const { rows } = await sql<{ id: string }>(
      this.dataSource.manager,
      'INSERT INTO charity_goals (charity_id, title, target_points, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [charityId, title, target, startsAt, endsAt],
    );
    return (await this.goals(charityId, rows[0].id))[0];
  }

  /** A charity's goals with their live progress: confirmed donated and matched points in the window. */
  async goals(charityId: string, goalId?: string): Promise<GoalRow[]> {
    const { rows } = await sql<GoalRow>(
      this.dataSource.manager,
      `SELECT g.id, g.title, g.target_points::text AS target_points, g.starts_at, g.ends_at,
              ((SELECT coalesce(sum(d.points), 0) FROM donations d WHERE d.charity_id = g.charity_id AND d.status = 'CONFIRMED'
                 AND d.created_at >= g.starts_at AND d.created_at < g.ends_at)
             + (SELECT coalesce(sum(m.points), 0) FROM matches m WHERE m.charity_id = g.charity_id
                 AND m.created_at >= g.starts_at AND m.created_at < g.ends_at))::text AS progress_points
         FROM charity_goals g WHERE g.charity_id = $1 AND ($2::uuid IS NULL OR g.id = $2) ORDER BY g.starts_at, g.id`,
      [charityId, goalId ?? null],
    );
    return rows;
  }

  /** Charities are public to any authenticated caller: members choose where to give. */
  async byId(id: string): Promise<CharityEntity | null> {
    return this.dataSource.getRepository(CharityEntity).findOneBy({ id: validate.uuid('id', id) });
  }

  async list(first: number, after?: string | null): Promise<Page<CharityEntity>> {
    return pageAfter(this.dataSource.getRepository(CharityEntity), { table: 'charities', timeProperty: 'createdAt', timeColumn: 'created_at', first, after });
  }

  async loadMany(ids: readonly string[]): Promise<CharityEntity[]> {
    return this.dataSource.getRepository(CharityEntity).findBy({ id: In([...ids]) });
  }

  /** A member's own giving, newest first: the member themself and the admin only. */
  async donationsOf(viewer: Viewer, memberId: string): Promise<DonationEntity[]> {
    if (!isAdmin(viewer) && !isSelf(viewer, memberId)) throw forbidden('Only the member and the admin see donations');
    // A refused (FAILED) donation was answered with an error and is not the member's giving.
    return this.dataSource.getRepository(DonationEntity).find({
      where: { memberId, status: In(['CONFIRMED', 'PENDING']) },
      order: { createdAt: 'DESC' },
      take: MAX_PAGE_SIZE,
    });
  }
}
