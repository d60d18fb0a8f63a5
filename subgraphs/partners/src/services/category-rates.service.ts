import { type DataSource } from 'typeorm';
import { badInput, recordAudit, validate, type Viewer } from '../../../../lib/src';
import { canSeePrivate, requireCatalogueManager } from '../domain/access.rules';
import { validCategory, validExtraPercent } from '../domain/category-rate.rules';
import { categoryRateHistory, categoryRatesAt, insertCategoryRate, isPast, nextCategoryRateChange, type CategoryRate } from '../persistence/category-rates.repository';
import { managedPartnerId } from './managed-partner';

/**
 * A partner's extra earn per category (marketing's "15 % more on produce"): the partner itself (points:earn)
 * or the admin appends a version, in force from `validFrom` (default now, never in the past: earns already
 * made were priced without it). Private to the partner and the admin, like its terms. The points subgraph
 * reads the rates in force with the calling partner's terms at each earn.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND.
 */
export class CategoryRatesService {
  constructor(private readonly dataSource: DataSource) {}

  async set(viewer: Viewer, input: { partnerId?: string | null; category: string; extraPercent: string; validFrom?: string | null }): Promise<CategoryRate> {
    requireCatalogueManager(viewer);
    const partnerId = await managedPartnerId(this.dataSource, viewer, input.partnerId);
    const category = validCategory('category', input.category);
    const extraPercent = validExtraPercent('extraPercent', input.extraPercent);
    const validFrom = input.validFrom == null ? null : validate.instant('validFrom', input.validFrom);
    return this.dataSource.transaction(async (manager) => {
      if (validFrom && (await isPast(manager, validFrom))) throw badInput('validFrom', 'must not be in the past (omit it for now)');
      const rate = await insertCategoryRate(manager, { partnerId, category, extraPercent, validFrom, createdBy: viewer.subject });
      if (!rate) throw badInput('validFrom', 'a version of this category rate already starts at this time');
      await recordAudit(manager, viewer, partnerId);
      return rate;
    });
  }

  /** The rates in force now (or at `at`); null unless the viewer is the partner or the admin. */
  async inForce(viewer: Viewer, partnerId: string, at?: Date | null): Promise<CategoryRate[] | null> {
    if (!canSeePrivate(viewer, partnerId)) return null;
    return categoryRatesAt(this.dataSource.manager, [partnerId], at ?? null);
  }

  /**
   * When the rates in force now next change (the earliest version already appended that starts later),
   * or null when none is scheduled: what a reader keeping the rates in memory must not keep them past.
   * Null also unless the viewer is the partner or the admin.
   */
  async nextChange(viewer: Viewer, partnerId: string): Promise<Date | null> {
    if (!canSeePrivate(viewer, partnerId)) return null;
    return nextCategoryRateChange(this.dataSource.manager, partnerId);
  }

  /** Every version, oldest first; null unless the viewer is the partner or the admin. */
  async history(viewer: Viewer, partnerId: string): Promise<CategoryRate[] | null> {
    if (!canSeePrivate(viewer, partnerId)) return null;
    return categoryRateHistory(this.dataSource.manager, partnerId);
  }
}
