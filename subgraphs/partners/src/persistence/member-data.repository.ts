import { type MemberDataSection, type MemberErasureStatement } from '../../../../lib/src/persistence/member-data.repository';

/**
 * What the partners subgraph holds about one member, for the member's data export: no table of its own
 * names members today, so its section is its audit log and idempotency keys (added by lib's
 * MemberDataExport). A table about members added here is one more line.
 */
export const PARTNERS_MEMBER_DATA_SECTIONS: readonly MemberDataSection[] = [];

/** Nothing of the partners subgraph's own tables names a member: only its audit log and idempotency keys are erased (by lib's MemberDataErasure). */
export const PARTNERS_MEMBER_ERASURE_STATEMENTS: readonly MemberErasureStatement[] = [];
