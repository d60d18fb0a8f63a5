import { CreateMembers1732000000000 } from './1732000000000-create-members';
import { MembersAuditLog1733100000000 } from './1733100000000-audit-log';

/** Listed explicitly: globs would load .ts files under vitest. */
export const membersMigrations = [CreateMembers1732000000000, MembersAuditLog1733100000000];
