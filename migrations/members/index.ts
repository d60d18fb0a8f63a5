import { CreateMembers1732000000000 } from './1732000000000-create-members';
import { MembersAuditLog1733100000000 } from './1733100000000-audit-log';
import { EnrollmentEmailRefusals1738100000000 } from './1738100000000-enrollment-email-refusals';
import { IdentityLinksConsentsProfile1739000000000 } from './1739000000000-identity-links-consents-profile';
import { MemberCards1739100000000 } from './1739100000000-cards';
import { MemberClosings1739110000000 } from './1739110000000-closings';
import { MembersKpiIndexes1740300000000 } from './1740300000000-kpi-indexes';
import { MemberErasure1739200000000 } from './1739200000000-member-erasure';
import { LedgerRegistrations1741100000000 } from './1741100000000-ledger-registrations';
import { EnrolledStore1741400000000 } from './1741400000000-enrolled-store';

/** Listed explicitly: globs would load .ts files under vitest. */
export const membersMigrations = [CreateMembers1732000000000, MembersAuditLog1733100000000, EnrollmentEmailRefusals1738100000000, IdentityLinksConsentsProfile1739000000000, MemberCards1739100000000, MemberClosings1739110000000, MembersKpiIndexes1740300000000, MemberErasure1739200000000, LedgerRegistrations1741100000000, EnrolledStore1741400000000];
