import { CreateCharities1732000000000 } from './1732000000000-create-charities';
import { DonationsAuditLog1733100000000 } from './1733100000000-audit-log';
import { Giving1735000000000 } from './1735000000000-giving';
import { DonationsKpiIndexes1740300000000 } from './1740300000000-kpi-indexes';
import { DonationsMemberErasure1739700000000 } from './1739700000000-member-erasure';

export const donationsMigrations = [CreateCharities1732000000000, DonationsAuditLog1733100000000, Giving1735000000000, DonationsKpiIndexes1740300000000, DonationsMemberErasure1739700000000];
