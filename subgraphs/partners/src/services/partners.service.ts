import { type DataSource, type EntityManager } from 'typeorm';
import {
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
  validate,
  validateIdempotencyKey,
  type Viewer,
  type Page,
} from '../../../../lib/src';
import { canSeePrivate } from '../domain/access.rules';
import { validatePartner, validateTermsChange, type PartnerInput, type TermsChangeInput } from '../domain/terms.rules';
import { type PartnerEntity } from '../persistence/partner.entity';
import { findPartner, insertPartner, partnerById, lockPartnerCurrency, partnerPage, partnersByIds, setPartnerStatus } from '../persistence/partners.repository';
import { appendTermsVersion, effectiveFrom, insertFirstTerms, termsAt, termsBetween, termsVersion, type TermsVersion } from '../persistence/terms.repository';

export type { TermsVersion };

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
      const id = await insertPartner(manager, valid);
      if (!id) throw badInput('name', 'a partner with this name already exists');
      await insertFirstTerms(manager, id, valid);
      await recordAudit(manager, viewer, id);
      return { partnerId: id };
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
      if (!(await setPartnerStatus(manager, id, status))) throw notFound('Partner');
      await recordAudit(manager, viewer, id);
    });
    return this.mustLoad(id);
  }

  /** Any authenticated caller may read a partner's public face (name, status, currency). */
  async byId(id: string): Promise<PartnerEntity | null> {
    const partnerId = validate.uuid('id', id);
    return findPartner(this.dataSource.manager, partnerId);
  }

  async viewerPartner(viewer: Viewer): Promise<PartnerEntity | null> {
    if (!viewer.partnerId) return null;
    return partnerById(this.dataSource.manager, viewer.partnerId);
  }

  async list(viewer: Viewer, first: number, after?: string | null): Promise<Page<PartnerEntity>> {
    requireAdmin(viewer);
    return partnerPage(this.dataSource.manager, first, after);
  }

  async loadMany(ids: readonly string[]): Promise<PartnerEntity[]> {
    return partnersByIds(this.dataSource.manager, ids);
  }

  /** The terms in force at `at` (default: now, by the database clock), one version per partner that has one. */
  async termsAt(partnerIds: readonly string[], at?: Date): Promise<TermsVersion[]> {
    if (partnerIds.length === 0) return [];
    return termsAt(this.dataSource.manager, partnerIds, at ?? null);
  }

  /**
   * The versions in force at any time in [from, to), oldest first: the one in force at `from`, then each
   * that starts before `to` (scheduled ones included). Without bounds, every version.
   */
  async termsHistory(partnerId: string, from?: Date | null, to?: Date | null): Promise<TermsVersion[]> {
    if (from && to && to <= from) throw badInput('to', 'must be after from');
    return termsBetween(this.dataSource.manager, partnerId, from ?? null, to ?? null);
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
          const currency = await lockPartnerCurrency(manager, partnerId);
          if (!currency) throw notFound('Partner');
          const change = validateTermsChange(input, currency);
          const effective = await effectiveFrom(manager, validFrom);
          if (effective.past) throw badInput('validFrom', 'must not be in the past (omit it for now)');
          const termsId = await appendTermsVersion(manager, partnerId, change, effective.validFrom);
          if (!termsId) throw new Error(`partner ${partnerId} has no terms before ${effective.validFrom.toISOString()}`);
          await recordAudit(manager, viewer, partnerId);
          return { partnerId, termsId };
        }),
      )
      .catch((error: unknown) => {
        if (pgCode(error) === PgCodes.uniqueViolation && pgConstraint(error) === 'partner_terms_version_key') {
          throw badInput('validFrom', 'a version of the terms already starts at this time');
        }
        throw error;
      });
    const terms = await termsVersion(this.dataSource.manager, partnerId, result.termsId);
    if (!terms) throw new Error('terms version vanished');
    return { partner: await this.mustLoad(partnerId), terms };
  }

  private async mustLoad(id: string): Promise<PartnerEntity> {
    const partner = await findPartner(this.dataSource.manager, id);
    if (!partner) throw notFound('Partner');
    return partner;
  }
}
