import { type DataSource, type EntityManager } from 'typeorm';
import {
  AppError,
  badInput,
  callerOf,
  forbidden,
  idempotent,
  isAdmin,
  notFound,
  recordAudit,
  storedResult,
  validate,
  validateIdempotencyKey,
  type Viewer,
} from '../../../../lib/src';
import { type DirectoryClient } from '../clients/directory.client';
import { checkGrantRows, MAX_IMPORT_ROWS, validGrantRow, type GrantRowInput, type RowProblem, type ValidGrantRow } from '../domain/grant.rules';
import { claimGrantImport, findGrantImport, insertGrants, type GrantImportRow } from '../persistence/grants.repository';
import { accountsOwingClawbacks, closedMembers, issuePoints, issuerAccount, lockMemberAccountsById, type Issuer } from '../persistence/issuance.repository';
import { type TransactionEntity } from '../persistence/ledger.entity';
import { ensureAccount, loadTransaction, memberAccounts } from '../persistence/ledger.repository';
import { clawbackPartners } from '../persistence/clawbacks.repository';
import { lockFunding } from '../persistence/funding.repository';
import { drawPrepaidBlock } from './funding.service';
import { type LedgerConfig } from './ledger.config';
import { refuseBalanceOverflow, settleClawbacks } from './member-ledger';

export interface GrantPointsInput {
  memberId: string;
  points: number;
  reason: string;
  fundedByPartnerId?: string | null;
  reference: string;
  idempotencyKey: string;
}

export interface ImportGrantsInput {
  rows: (GrantRowInput & { line: number })[];
  fundedByPartnerId?: string | null;
  fileSha256: string;
  idempotencyKey: string;
}

export interface ImportOutcome {
  grantImport: GrantImportRow | null;
  errors: RowProblem[];
  replayed: boolean;
}

/**
 * Goodwill and campaign points (award GOODWILL), one by one (grantPoints) or a whole file at once
 * (importGrants, behind the gateway's POST /imports/grants.csv). Who may grant, and who pays:
 * - the admin: the coalition's marketing budget, or a partner it names (fundedByPartnerId), billed at
 *   that partner's issue price;
 * - a partner with points:grant: itself, at its issue price (naming another partner is FORBIDDEN).
 * A prepaid partner's grants draw on its block (PREPAID_BLOCK_EXHAUSTED) like its earns. Idempotent by key,
 * audited. Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, PARTNER_SUSPENDED, PREPAID_BLOCK_EXHAUSTED,
 * IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class GrantService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: DirectoryClient,
    private readonly config: LedgerConfig,
  ) {}

  async grant(viewer: Viewer, input: GrantPointsInput, requestId: string): Promise<TransactionEntity> {
    const funder = this.funder(viewer, input.fundedByPartnerId);
    const row = validGrantRow(input);
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'grantPoints', key: input.idempotencyKey, input };
    const replay = await storedResult<{ transactionId: string }>(this.dataSource.manager, request);
    if (replay) return loadTransaction(this.dataSource.manager, replay.transactionId);

    const issuer = await this.issuer(viewer, funder, requestId);
    const missing = await this.openAccounts(viewer, [row.memberId], requestId);
    if (missing.size > 0) throw notFound('Member');
    if ((await closedMembers(this.dataSource.manager, [row.memberId])).size > 0) throw new AppError('MEMBER_CLOSED');
    const outcome = await this.dataSource.transaction((manager) =>
      idempotent(manager, request, async () => {
        const [written] = await this.issue(manager, viewer, issuer, [{ ...row, line: null }], null);
        await recordAudit(manager, viewer, written.id);
        return { transactionId: written.id };
      }),
    );
    return loadTransaction(this.dataSource.manager, outcome.result.transactionId);
  }

  /**
   * A bulk file's grants, all or nothing: every row is checked first (fields, then whether its member
   * exists); any problem answers every problem by line and writes nothing. The same key with the same
   * file answers the import already made; with another file, IDEMPOTENCY_KEY_REUSED.
   */
  async importGrants(viewer: Viewer, input: ImportGrantsInput, requestId: string): Promise<ImportOutcome> {
    const funder = this.funder(viewer, input.fundedByPartnerId);
    validateIdempotencyKey(input.idempotencyKey);
    const fileSha256 = input.fileSha256.toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(fileSha256)) throw badInput('fileSha256', 'must be a hex SHA-256');
    const caller = callerOf(viewer);
    const replay = (row: GrantImportRow | null): ImportOutcome | null => {
      if (!row) return null;
      if (row.file_sha256 !== fileSha256) throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used with another file');
      return { grantImport: row, errors: [], replayed: true };
    };
    const stored = replay(await findGrantImport(this.dataSource.manager, caller, input.idempotencyKey));
    if (stored) return stored;
    if (input.rows.length === 0) throw badInput('rows', 'must not be empty');
    if (input.rows.length > MAX_IMPORT_ROWS) throw badInput('rows', `must be at most ${MAX_IMPORT_ROWS}`);

    const { valid, problems } = checkGrantRows(input.rows);
    const issuer = await this.issuer(viewer, funder, requestId);
    const missing = await this.openAccounts(viewer, valid.map((r) => r.memberId), requestId);
    const closed = await closedMembers(this.dataSource.manager, valid.map((r) => r.memberId));
    for (const row of valid) {
      if (missing.has(row.memberId)) problems.push({ line: row.line, field: 'memberId', code: 'NOT_FOUND', message: 'memberId: no active member has this id' });
      else if (closed.has(row.memberId)) problems.push({ line: row.line, field: 'memberId', code: 'MEMBER_CLOSED', message: 'memberId: the membership is closed' });
    }
    if (problems.length > 0) return { grantImport: null, errors: problems.sort((a, b) => a.line - b.line), replayed: false };

    const total = valid.reduce((sum, r) => sum + r.points, 0n);
    return this.dataSource.transaction(async (manager) => {
      const claim = await claimGrantImport(manager, { caller, key: input.idempotencyKey, fileSha256, fundedBy: issuer.partnerId, rows: valid.length, points: total });
      if (!claim.created) return replay(claim.row)!;
      await this.issue(manager, viewer, issuer, valid, claim.row.id);
      await recordAudit(manager, viewer, claim.row.id);
      return { grantImport: claim.row, errors: [], replayed: false };
    });
  }

  /** Who pays: a partner id, or null for the coalition's marketing budget. FORBIDDEN for anyone else. */
  private funder(viewer: Viewer, fundedByPartnerId: string | null | undefined): { partnerId: string | null; self: boolean } {
    if (isAdmin(viewer)) return { partnerId: fundedByPartnerId ? validate.uuid('fundedByPartnerId', fundedByPartnerId) : null, self: false };
    if (!viewer.partnerId || !viewer.scopes.has('points:grant')) throw forbidden('Requires scope admin or a partner token with points:grant');
    if (fundedByPartnerId && fundedByPartnerId.toLowerCase() !== viewer.partnerId) throw forbidden('A partner grants only points it pays for itself');
    return { partnerId: viewer.partnerId, self: true };
  }

  /** The issuer with its price in force: the calling partner (refused when suspended), a named partner, or the coalition. */
  private async issuer(viewer: Viewer, funder: { partnerId: string | null; self: boolean }, requestId: string): Promise<Issuer> {
    if (funder.partnerId === null) {
      return { partnerId: null, unitPrice: this.config.coalition.marketingPointPrice, currency: this.config.coalition.currency };
    }
    if (funder.self) {
      const partner = await this.directory.requireActiveCallingPartner(viewer, requestId);
      return { partnerId: partner.id, unitPrice: partner.issuePrice, currency: partner.currency };
    }
    const partner = await this.directory.partner(viewer, funder.partnerId, requestId);
    if (!partner || partner.issuePrice === null) throw notFound('Partner');
    return { partnerId: partner.id, unitPrice: partner.issuePrice, currency: partner.currency };
  }

  /**
   * Makes sure every member has a points account (a member's first points may be a grant): members
   * without one are asked of the members subgraph (never while holding locks) and get an empty account.
   * Answers the members that do not exist or are not active.
   */
  private async openAccounts(viewer: Viewer, memberIds: readonly string[], requestId: string): Promise<Set<string>> {
    const ids = [...new Set(memberIds)];
    const have = new Set((await memberAccounts(this.dataSource.manager, ids)).map((a) => a.ownerId));
    const without = ids.filter((id) => !have.has(id));
    if (without.length === 0) return new Set();
    const active = await this.directory.activeMembers(viewer, without, requestId);
    await this.dataSource.transaction(async (manager) => {
      for (const id of active) await ensureAccount(manager, 'MEMBER', id);
    });
    return new Set(without.filter((id) => !active.has(id)));
  }

  /** Writes the grants: accounts locked in order, the prepaid block drawn once, then each GRANT with its lot, award and grant row. */
  private async issue(
    manager: EntityManager,
    viewer: Viewer,
    issuer: Issuer,
    rows: readonly (ValidGrantRow & { line: number | null })[],
    importId: string | null,
  ): Promise<TransactionEntity[]> {
    const accounts = await lockMemberAccountsById(manager, rows.map((r) => r.memberId));
    // Closed since the check above (the locks now hold it off): nothing is written.
    if ((await closedMembers(manager, rows.map((r) => r.memberId))).size > 0) throw new AppError('MEMBER_CLOSED');
    const accountIds = [...accounts.values()];
    // The blocks this may draw on or refill (its own, and those clawback repayments refill), locked in order.
    await lockFunding(manager, [...(issuer.partnerId ? [issuer.partnerId] : []), ...(await clawbackPartners(manager, accountIds))]);
    const total = rows.reduce((sum, r) => sum + r.points, 0n);
    const blockDrawn = issuer.partnerId ? await drawPrepaidBlock(manager, issuer.partnerId, total) : false;
    const fromAccount = await issuerAccount(manager, issuer.partnerId);
    const written: TransactionEntity[] = [];
    for (const row of rows) {
      const memberAccountId = accounts.get(row.memberId);
      if (!memberAccountId) throw notFound('Member');
      written.push(
        await issuePoints(manager, {
          kind: 'GRANT',
          memberId: row.memberId,
          memberAccountId,
          issuer: { ...issuer, blockDrawn },
          issuerAccountId: fromAccount,
          points: row.points,
          reference: row.reference,
          lifetimeMonths: this.config.expiryMonths,
          award: { kind: 'GOODWILL', ruleId: importId },
        }).catch(refuseBalanceOverflow('points')),
      );
    }
    await insertGrants(
      manager,
      written.map((t, i) => ({ transactionId: t.id, reason: rows[i].reason, grantedBy: viewer.subject, importId, line: rows[i].line })),
    );
    const owing = await accountsOwingClawbacks(manager, accountIds);
    for (const [memberId, accountId] of [...accounts].sort(([, a], [, b]) => (a < b ? -1 : 1))) {
      if (owing.has(accountId)) await settleClawbacks(manager, accountId, memberId);
    }
    return written;
  }
}
