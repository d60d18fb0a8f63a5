import { CreatePartners1732000000000 } from './1732000000000-create-partners';
import { StoresOffers1733000000000 } from './1733000000000-stores-offers';
import { PartnersAuditLog1733100000000 } from './1733100000000-audit-log';
import { CategoryRatesOfferUses1739350000000 } from './1739350000000-category-rates-offer-uses';
import { PartnersMemberErasure1739800000000 } from './1739800000000-member-erasure';
import { PartnerChangeNotices1740450000000 } from './1740450000000-partner-change-notices';

/** Listed explicitly: globs would load .ts files under vitest. */
export const partnersMigrations = [CreatePartners1732000000000, StoresOffers1733000000000, PartnersAuditLog1733100000000, CategoryRatesOfferUses1739350000000, PartnersMemberErasure1739800000000, PartnerChangeNotices1740450000000];
