import { type DataSource, type EntityManager } from 'typeorm';
import { badInput, callerOf, idempotentIfKeyed, isAdmin, isSelf, forbidden, notFound, recordAudit, requireAdmin, validate, type Page, type Viewer } from '../../../../lib/src';
import { type CharityEntity, type DonationEntity } from '../persistence/charity.entity';
import { charityPage, findCharities, findCharity, goalsWithProgress, insertCharity, insertGoal, updateCharity, type GoalRow } from '../persistence/charities.repository';
import { donationsOfMember } from '../persistence/donations.repository';

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
      const id = await insertCharity(manager, { name, description, verified });
      if (!id) throw badInput('name', 'a charity with this name already exists');
      await recordAudit(manager, viewer, id);
      return { charityId: id };
    };
    const { charityId } = await this.dataSource.transaction(async (manager) => {
      return idempotentIfKeyed(manager, { caller: callerOf(viewer), operation: 'createCharity', key: input.idempotencyKey, input }, () => insert(manager));
    });
    const charity = await findCharity(this.dataSource.manager, charityId);
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
      const updated = await updateCharity(manager, id, { status: input.status ?? null, verification: input.verification ?? null, description });
      if (!updated) throw notFound('Charity');
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
    const goalId = await insertGoal(this.dataSource.manager, { charityId, title, targetPoints: target, startsAt, endsAt });
    return (await this.goals(charityId, goalId))[0];
  }

  /** A charity's goals with their live progress: confirmed donated and matched points in the window. */
  async goals(charityId: string, goalId?: string): Promise<GoalRow[]> {
    return goalsWithProgress(this.dataSource.manager, charityId, goalId);
  }

  /** Charities are public to any authenticated caller: members choose where to give. */
  async byId(id: string): Promise<CharityEntity | null> {
    return findCharity(this.dataSource.manager, validate.uuid('id', id));
  }

  async list(first: number, after?: string | null): Promise<Page<CharityEntity>> {
    return charityPage(this.dataSource.manager, first, after);
  }

  async loadMany(ids: readonly string[]): Promise<CharityEntity[]> {
    return findCharities(this.dataSource.manager, ids);
  }

  /** A member's own giving, newest first: the member themself and the admin only. */
  async donationsOf(viewer: Viewer, memberId: string): Promise<DonationEntity[]> {
    if (!isAdmin(viewer) && !isSelf(viewer, memberId)) throw forbidden('Only the member and the admin see donations');
    return donationsOfMember(this.dataSource.manager, memberId);
  }
}
