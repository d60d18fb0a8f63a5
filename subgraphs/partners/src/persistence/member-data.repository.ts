import { type MemberDataSection } from '../../../../lib/src/persistence/member-data.repository';

/**
 * What the partners subgraph holds about one member, for the member's data export: no table of its own
 * names members today, so its section is its audit log and idempotency keys (added by lib's
 * MemberDataExport). A table about members added here is one more line.
 */
export const PARTNERS_MEMBER_DATA_SECTIONS: readonly MemberDataSection[] = [];
