import { type DataSource, type EntityManager } from 'typeorm';
import {
  selectEntities,
  badInput,
  callerOf,
  idempotent,
  idempotentIfKeyed,
  PgCodes,
  pgCode,
  pgConstraint,
  notFound,
  requireAdmin,
  recordAudit,
  sql,
  validate,
  validateIdempotencyKey,
  type Viewer,
  pageAfter,
  type Page,
  MAX_PAGE_SIZE,
} from '../../../shared/src';
import { canSeePrivate } from '../domain/access.rules';
import { validatePartner, validateTermsChange, type PartnerInput, type TermsChangeInput } from '../domain/terms.rules';
import { PartnerEntity } from '../persistence/partner.entity';

/** One version of a partner's contract terms, in force from `validFrom` until `validUntil` (null: open). */
export interface TermsVersion {
  partnerId: string;
  earnRate: string;
  issuePrice: string;
  reimbursement: string;
  validFrom: Date;
  validUntil: Date | null;
}

interface TermsRow {
  id: string;
  partner_id: string;
  earn_rate: string;
  issue_price: string;
  reimbursement: string;
  valid_from: Date;
  valid_until: Date | null;
}

const toVersion = (r: TermsRow): TermsVersion => ({
  partnerId: r.partner_id,
  earnRate: r.earn_rate,
  issuePrice: r.issue_price,
  reimbursement: r.reimbursement,
  validFrom: r.valid_from,
  validUntil: r.valid_until,
});

/** Every version with the time the next one takes over: the base of all terms reads. */
const VERSIONS = `SELECT id::text, partner_id, earn_rate::text, issue_price::text, reimbursement::text, valid_from,
         lead(valid_from) OVER (PARTITION BY partner_id ORDER BY valid_from) AS valid_until
    FROM partner_terms WHERE partner_id = ANY($1::uuid[])`;

/**
 * Onboards partners, keeps their status and their contract terms, versioned by time: a change appends a
 * version (the table refuses UPDATE and DELETE), so the terms in force at any past time stay readable.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class PartnersService {
  constructor(private readonly dataSource: DataSource) {}

  /** Contract terms are private to the partner itself and the admin. */
  canSeeTerms(viewer: Viewer, partnerId: string): boolean {
    return canSeePrivate(viewer, partnerId);
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
      await recordAudit(manager, viewer, rows[0].id);
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
    await this.dataSource.transaction(async (manager) => {
      const { rowCount } = await sql(manager, `UPDATE partners SET status = $2, updated_at = now() WHERE id = $1`, [id, status]);
      if (rowCount === 0) throw notFound('Partner');
      await recordAudit(manager, viewer, id);
    });
    return this.mustLoad(id);
  }

  /** Any authenticated caller may read a partner's public face (name, status, currency). */
  async byId(id: string): Promise<PartnerEntity | null> {
    const partnerId = validate.uuid('id', id);
    return this.dataSource.getRepository(PartnerEntity).findOneBy({ id: partnerId });
  }

  async viewerPartner(viewer: Viewer): Promise<PartnerEntity | null> {
    if (!viewer.partnerId) return null;
    const [partner] = await selectEntities(this.dataSource.manager, PartnerEntity, 'id = $1', [viewer.partnerId]);
    return partner ?? null;
  }

  async list(viewer: Viewer, first: number, after?: string | null): Promise<Page<PartnerEntity>> {
    requireAdmin(viewer);
    return pageAfter(this.dataSource.getRepository(PartnerEntity), { table: 'partners', timeProperty: 'createdAt', timeColumn: 'created_at', first, after });
  }

  async loadMany(ids: readonly string[]): Promise<PartnerEntity[]> {
    return selectEntities(this.dataSource.manager, PartnerEntity, 'id = ANY($1::uuid[])', [[...ids]]);
  }

  /** The terms in force at `at` (default: now, by the database clock), one version per partner that has one. */
  async termsAt(partnerIds: readonly string[], at?: Date): Promise<TermsVersion[]> {
    if (partnerIds.length === 0) return [];
    const { rows } = await sql<TermsRow>(
      this.dataSource.manager,
      `SELECT * FROM (${VERSIONS}) v WHERE v.valid_from <= coalesce($2, now()) AND (v.valid_until IS NULL OR v.valid_until > coalesce($2, now()))`,
      [[...partnerIds], at ?? null],
    );
    return rows.map(toVersion);
  }

  /**
   * The versions in force at any time in [from, to), oldest first: the one in force at `from`, then each
   * that starts before `to` (scheduled ones included). Without bounds, every version.
   */
  async termsHistory(partnerId: string, from?: Date | null, to?: Date | null): Promise<TermsVersion[]> {
    if (from && to && to <= from) throw badInput('to', 'must be after from');
    const { rows } = await sql<TermsRow>(
      this.dataSource.manager,
      `SELECT * FROM (${VERSIONS}) v WHERE ($2::timestamptz IS NULL OR v.valid_until IS NULL OR v.valid_until > $2)
          AND ($3::timestamptz IS NULL OR v.valid_from < $3) ORDER BY v.valid_from LIMIT ${MAX_PAGE_SIZE}`,
      [[partnerId], from ?? null, to ?? null],
    );
    return rows.map(toVersion);
  }

  /**
   * Appends a version of the partner's terms, in force from `validFrom` (default now; never in the past,
   * since postings were already priced with the old terms). Omitted terms are copied from the version
   * in force at `validFrom`, so each version is complete. Admin only; money-moving, so keyed.
   */
  async updateTerms(
    viewer: Viewer,
    input: TermsChangeInput & { partnerId: string; validFrom?: string | null; idempotencyKey: string },
  ): Promise<{ partner: PartnerEntity; terms: TermsVersion }> {
    requireAdmin(viewer);
    const partnerId = validate.uuid('partnerId', input.partnerId);
    const validFrom = input.validFrom == null ? null : validate.instant('validFrom', input.validFrom);
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'updatePartnerTerms', key: input.idempotencyKey, input };
    const { result } = await this.dataSource
      .transaction(async (manager) =>
        idempotent(manager, request, async () => {
          // Locking the partner serialises its term changes, so each copies from a settled history.
          const partner = await sql<{ currency: string }>(manager, 'SELECT currency FROM partners WHERE id = $1 FOR UPDATE', [partnerId]);
          if (!partner.rows[0]) throw notFound('Partner');
          const change = validateTermsChange(input, partner.rows[0].currency);
          const { rows } = await sql<{ valid_from: Date; past: boolean }>(
            manager,
            'SELECT coalesce($1::timestamptz, now()) AS valid_from, $1::timestamptz < now() AS past',
            [validFrom],
          );
          if (rows[0].past) throw badInput('validFrom', 'must not be in the past (omit it for now)');
          const effective = rows[0].valid_from;
          const inserted = await sql<{ id: string }>(
            manager,
            `INSERT INTO partner_terms (partner_id, earn_rate, issue_price, reimbursement, valid_from)
             SELECT $1, coalesce($2, t.earn_rate), coalesce($3, t.issue_price), coalesce($4, t.reimbursement), $5
               FROM partner_terms t WHERE t.partner_id = $1 AND t.valid_from <= $5 ORDER BY t.valid_from DESC LIMIT 1
             RETURNING id`,
            [partnerId, change.earnRate, change.issuePrice, change.reimbursement, effective],
          );
          if (!inserted.rows[0]) throw new Error(`partner ${partnerId} has no terms before ${effective.toISOString()}`);
          await recordAudit(manager, viewer, partnerId);
          return { partnerId, termsId: inserted.rows[0].id };
        }),
      )
      .catch((error: unknown) => {
        if (pgCode(error) === PgCodes.uniqueViolation && pgConstraint(error) === 'partner_terms_version_key') {
          throw badInput('validFrom', 'a version of the terms already starts at this time');
        }
        throw error;
      });
    const { rows } = await sql<TermsRow>(this.dataSource.manager, `SELECT * FROM (${VERSIONS}) v WHERE v.id = $2`, [
      [partnerId],
      result.termsId,
    ]);
    if (!rows[0]) throw new Error('terms version vanished');
    const terms = toVersion(rows[0]);
    return { partner: await this.mustLoad(partnerId), terms };
  }

  private async mustLoad(id: string): Promise<PartnerEntity> {
    const partner = await this.dataSource.getRepository(PartnerEntity).findOneBy({ id });
    if (!partner) throw notFound('Partner');
    return partner;
  }
}
