import { type DataSource, type EntityManager, In } from 'typeorm';
import { badInput, callerOf, idempotentIfKeyed, isAdmin, isSelf, forbidden, notFound, recordAudit, requireAdmin, sql, validate, MAX_PAGE_SIZE, pageAfter, type Page, type Viewer } from '../../../shared/src';
import { CharityEntity, DonationEntity } from '../persistence/charity.entity';

/**
 * Onboards charities and reads them and members' donations.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class CharitiesService {
  constructor(private readonly dataSource: DataSource) {}

  async create(viewer: Viewer, input: { name: string; description?: string | null; idempotencyKey?: string | null }): Promise<CharityEntity> {
    requireAdmin(viewer);
    const name = validate.text('name', input.name, 200);
    const description = input.description == null ? null : validate.text('description', input.description, 2000);
    const insert = async (manager: EntityManager): Promise<{ charityId: string }> => {
      const { rows } = await sql<{ id: string }>(
        manager,
        `INSERT INTO charities (name, name_normalized, description) VALUES ($1, lower($1), $2)
         ON CONFLICT (name_normalized) DO NOTHING RETURNING id`,
        [name, description],
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
    return this.dataSource.getRepository(DonationEntity).find({
      where: { memberId },
      order: { createdAt: 'DESC' },
      take: MAX_PAGE_SIZE,
    });
  }
}
