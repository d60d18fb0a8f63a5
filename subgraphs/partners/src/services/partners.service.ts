import { type DataSource, type EntityManager, In } from 'typeorm';
import {
  badInput,
  callerOf,
  idempotentIfKeyed,
  isAdmin,
  notFound,
  requireAdmin,
  sql,
  validate,
  type Viewer,
  pageAfter,
  type Page,
} from '../../../shared/src';
import { validatePartner, type PartnerInput } from '../domain/terms.rules';
import { PartnerEntity, PartnerTermsEntity } from '../persistence/partner.entity';

/**
 * Onboards partners, keeps their contract terms (versioned by time) and their status.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class PartnersService {
  constructor(private readonly dataSource: DataSource) {}

  /** Contract terms are private to the partner itself and the admin. */
  canSeeTerms(viewer: Viewer, partnerId: string): boolean {
    return isAdmin(viewer) || viewer.partnerId === partnerId;
  }

  async create(viewer: Viewer, input: PartnerInput & { idempotencyKey?: string | null }): Promise<PartnerEntity> {
    requireAdmin(viewer);
    const valid = validatePartner(input);
    const insert = async (manager: EntityManager): Promise<{ partnerId: string }> => {
      const { rows } = await sql<{ id: string }>(
        manager,
        `INSERT INTO partners (name, name_normalized, currency) VALUES ($1, lower($1), $2)
         ON CONFLICT (name_normalized) DO NOTHING RETURNING id`,
        [valid.name, valid.currency],
      );
      if (!rows[0]) throw badInput('name', 'a partner with this name already exists');
      await sql(manager, `INSERT INTO partner_terms (partner_id, earn_rate, issue_price, reimbursement) VALUES ($1, $2, $3, $4)`, [
        rows[0].id,
        valid.earnRate,
        valid.issuePrice,
        valid.reimbursement,
      ]);
      return { partnerId: rows[0].id };
    };
    const { partnerId } = await this.dataSource.transaction(async (manager) => {
      return idempotentIfKeyed(manager, { caller: callerOf(viewer), operation: 'createPartner', key: input.idempotencyKey, input }, () => insert(manager));
    });
    return this.mustLoad(partnerId);
  }

  async setStatus(viewer: Viewer, partnerId: string, status: 'ACTIVE' | 'SUSPENDED'): Promise<PartnerEntity> {
    requireAdmin(viewer);
    const id = validate.uuid('partnerId', partnerId);
    const { rowCount } = await sql(this.dataSource.manager, `UPDATE partners SET status = $2, updated_at = now() WHERE id = $1`, [id, status]);
    if (rowCount === 0) throw notFound('Partner');
    return this.mustLoad(id);
  }

  /** Any authenticated caller may read a partner's public face (name, status, currency). */
  async byId(id: string): Promise<PartnerEntity | null> {
    const partnerId = validate.uuid('id', id);
    return this.dataSource.getRepository(PartnerEntity).findOneBy({ id: partnerId });
  }

  async viewerPartner(viewer: Viewer): Promise<PartnerEntity | null> {
    if (!viewer.partnerId) return null;
    return this.dataSource.getRepository(PartnerEntity).findOneBy({ id: viewer.partnerId });
  }

  async list(viewer: Viewer, first: number, after?: string | null): Promise<Page<PartnerEntity>> {
    requireAdmin(viewer);
    return pageAfter(this.dataSource.getRepository(PartnerEntity), { table: 'partners', timeProperty: 'createdAt', timeColumn: 'created_at', first, after });
  }

  async loadMany(ids: readonly string[]): Promise<PartnerEntity[]> {
    return this.dataSource.getRepository(PartnerEntity).findBy({ id: In([...ids]) });
  }

  /** The terms in force now, one row per partner. */
  async currentTerms(partnerIds: readonly string[]): Promise<PartnerTermsEntity[]> {
    if (partnerIds.length === 0) return [];
    return this.dataSource
      .getRepository(PartnerTermsEntity)
      .createQueryBuilder('t')
      .distinctOn(['t.partner_id'])
      .where('t.partner_id = ANY(:ids)', { ids: [...partnerIds] })
      .andWhere('t.valid_from <= now()')
      .orderBy('t.partner_id')
      .addOrderBy('t.valid_from', 'DESC')
      .getMany();
  }

  private async mustLoad(id: string): Promise<PartnerEntity> {
    const partner = await this.dataSource.getRepository(PartnerEntity).findOneBy({ id });
    if (!partner) throw notFound('Partner');
    return partner;
  }
}
