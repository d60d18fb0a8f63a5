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
import { draw, formatMillionths, GameInputProblem, gameRules, newServerSeed, seedHash, validClientSeed, verifyPlay, type Draw, type GamePrize } from '../domain/game.rules';
import { clawbackPartners } from '../persistence/clawbacks.repository';
import { lockFunding } from '../persistence/funding.repository';
import {
  admitPlay,
  commitSeed,
  findGame,
  findPlay,
  insertGame,
  insertPlay,
  listGames,
  memberPlays,
  playsToday,
  readSeed,
  rotateSeed,
  type GameRow,
  type PlayRow,
  type SeedRow,
} from '../persistence/games.repository';
import { issuePoints, issuerAccount } from '../persistence/issuance.repository';
import { ensureAccount, insertTransaction, lockMemberAccount, memberAccounts, post } from '../persistence/ledger.repository';
import { consumeLots } from '../persistence/lots.repository';
import { drawPrepaidBlock } from './funding.service';
import { type LedgerConfig } from './ledger.config';
import { availablePoints, expireDueLots, refuseBalanceOverflow, settleClawbacks } from './member-ledger';

export interface CreateGameInput {
  name: string;
  sponsorPartnerId?: string | null;
  winChance: string;
  prizes: GamePrize[];
  budgetPoints: number;
  playsPerMemberPerDay?: number | null;
  costPoints?: number | null;
  startsAt?: string | null;
  endsAt?: string | null;
  idempotencyKey: string;
}

export interface PlayGameInput {
  gameId: string;
  clientSeed: string;
  /** The commitment the member saw (nextGamePlay); when given, a play against any other seed is refused. */
  serverSeedHash?: string | null;
  idempotencyKey: string;
}

export interface NextPlay {
  gameId: string;
  serverSeedHash: string;
  nonce: number;
  committedAt: Date;
  playsToday: number;
  playsLeftToday: number;
}

export interface Verification {
  valid: boolean;
  seedMatchesHash: boolean;
  outcomeMatches: boolean;
  draw: Draw;
  play: PlayRow;
}

const withField = <T>(f: () => T): T => {
  try {
    return f();
  } catch (error) {
    if (error instanceof GameInputProblem) throw badInput(error.field, error.message.slice(error.field.length + 2));
    throw error;
  }
};

/**
 * Provably fair games (README "Games"): the admin or a sponsoring partner creates a game; a member asks for
 * the commitment of their next play (the server seed's SHA-256), plays with a client seed of their choosing,
 * and can verify any play of theirs afterwards, when the seed is revealed. A prize is a BONUS (award GAME)
 * funded by the sponsor at its issue price snapshotted at creation, or by the coalition's marketing budget;
 * a play's cost is a REDEEM honoured by the sponsor at its reimbursement snapshotted at creation. A game
 * admits a play only while its budget still holds its largest prize, so every admitted play pays what it
 * draws and the published odds hold for every play (a smaller leftover is never paid; the game closes).
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, PARTNER_SUSPENDED, GAME_CLOSED, PLAY_LIMIT_REACHED,
 * INSUFFICIENT_POINTS, MEMBER_CLOSED, PREPAID_BLOCK_EXHAUSTED, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class GameService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: DirectoryClient,
    private readonly config: LedgerConfig,
    /** Where server seeds come from: 32 random bytes each (a test may pass a reproducible source). */
    private readonly newSeed: () => string = newServerSeed,
  ) {}

  /** Creates a game: the admin (for a partner it names, or the coalition), or a partner with points:earn for itself. Idempotent, audited. */
  async create(viewer: Viewer, input: CreateGameInput, requestId: string): Promise<GameRow> {
    const sponsor = this.sponsor(viewer, input.sponsorPartnerId);
    const rules = withField(() => gameRules(input));
    validateIdempotencyKey(input.idempotencyKey);
    if (rules.costPoints > 0 && sponsor.partnerId === null) throw badInput('costPoints', 'only a game a partner sponsors can cost points (the sponsor honours them)');
    const request = { caller: callerOf(viewer), operation: 'createGame', key: input.idempotencyKey, input };
    const replay = await storedResult<{ gameId: string }>(this.dataSource.manager, request);
    if (replay) return this.loadGame(replay.gameId);

    const prices = await this.prices(viewer, sponsor, requestId);
    const { result } = await this.dataSource.transaction((manager) =>
      idempotent(manager, request, async () => {
        const game = await insertGame(manager, {
          name: rules.name,
          sponsorPartnerId: sponsor.partnerId,
          winChance: formatMillionths(rules.winChanceMillionths),
          winThreshold: rules.winThreshold,
          prizes: rules.prizes,
          maxPrizePoints: rules.maxPrizePoints,
          budgetPoints: rules.budgetPoints,
          playsPerMemberPerDay: rules.playsPerMemberPerDay,
          costPoints: rules.costPoints,
          startsAt: rules.startsAt,
          endsAt: rules.endsAt,
          prizeUnitPrice: prices.issuePrice,
          costUnitPrice: prices.reimbursement,
          priceCurrency: prices.currency,
          createdBy: viewer.subject,
        });
        await recordAudit(manager, viewer, game.id);
        return { gameId: game.id };
      }),
    );
    return this.loadGame(result.gameId);
  }

  /** A game as the caller may see it: members and the admin any game, a partner only the games it sponsors; else NOT_FOUND. */
  async game(viewer: Viewer, id: string): Promise<GameRow> {
    const game = await findGame(this.dataSource.manager, validate.uuid('id', id));
    if (!game || !this.maySee(viewer, game)) throw notFound('Game');
    return game;
  }

  /** Games newest first: a partner its own, members and the admin all (optionally only those open now). */
  async games(viewer: Viewer, openOnly: boolean, first: number): Promise<GameRow[]> {
    if (!Number.isSafeInteger(first) || first < 1 || first > 100) throw badInput('first', 'must be from 1 to 100');
    if (!isAdmin(viewer) && !viewer.memberId && !viewer.partnerId) throw forbidden('Requires a member, a partner or the admin');
    const sponsorPartnerId = isAdmin(viewer) || viewer.memberId ? undefined : viewer.partnerId!;
    return listGames(this.dataSource.manager, { sponsorPartnerId, openOnly, first });
  }

  /**
   * The member's commitment for their next play of the game: the SHA-256 of the server seed that will draw
   * it, and its nonce, made now if none is waiting. The member chooses a client seed after seeing it.
   */
  async nextPlay(viewer: Viewer, gameIdInput: string): Promise<NextPlay> {
    const memberId = this.member(viewer);
    const game = await this.game(viewer, validate.uuid('gameId', gameIdInput));
    const serverSeed = this.newSeed();
    const seed = await commitSeed(this.dataSource.manager, game.id, memberId, { serverSeed, serverSeedHash: seedHash(serverSeed) });
    const today = await playsToday(this.dataSource.manager, game.id, memberId, this.config.coalition.timeZone);
    return this.toNextPlay(game, seed, today);
  }

  /** One play of the member's (see the class comment). Idempotent by key: a retry answers the same play. */
  async play(viewer: Viewer, input: PlayGameInput, requestId: string): Promise<PlayRow> {
    const memberId = this.member(viewer);
    const gameId = validate.uuid('gameId', input.gameId);
    withField(() => validClientSeed(input.clientSeed));
    const expectedHash = input.serverSeedHash == null ? null : input.serverSeedHash.toLowerCase();
    if (expectedHash !== null && !/^[0-9a-f]{64}$/.test(expectedHash)) throw badInput('serverSeedHash', 'must be a hex SHA-256 (64 characters)');
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'playGame', key: input.idempotencyKey, input };
    const replay = await storedResult<{ playId: string }>(this.dataSource.manager, request);
    if (replay) return this.loadPlay(replay.playId);

    const game = await findGame(this.dataSource.manager, gameId);
    if (!game) throw notFound('Game');
    // A member's first points may be a prize: the members subgraph says whether the member exists (never while holding locks).
    if ((await memberAccounts(this.dataSource.manager, [memberId])).length === 0) {
      if (!(await this.directory.memberIsActive(viewer, memberId, requestId))) throw notFound('Member');
      await ensureAccount(this.dataSource.manager, 'MEMBER', memberId);
    }
    let written: PlayRow | undefined; // as inserted: the answer needs no second read
    const { result, replayed } = await this.dataSource.transaction((manager) =>
      idempotent(manager, request, async () => {
        written = await this.playLocked(manager, game, memberId, input.clientSeed, expectedHash);
        await recordAudit(manager, viewer, written.id);
        return { playId: written.id };
      }),
    );
    return !replayed && written ? written : this.loadPlay(result.playId);
  }

  /**
   * The play's steps, in one database transaction, locks taken in one order (the member's commitment, the
   * member's account, the funding rows, the game's row last) so plays never deadlock one another.
   */
  private async playLocked(manager: EntityManager, game: GameRow, memberId: string, clientSeed: string, expectedHash: string | null): Promise<PlayRow> {
    const seed = await readSeed(manager, game.id, memberId, true);
    if (!seed) throw badInput('gameId', 'no server seed is committed for your next play of this game yet: ask nextGamePlay for its hash first');
    if (expectedHash !== null && expectedHash !== seed.serverSeedHash) throw badInput('serverSeedHash', 'is not the commitment for your next play (ask nextGamePlay again)');
    if (!game.open || game.remainingPoints < game.maxPrizePoints) throw this.closed(game);
    const today = await playsToday(manager, game.id, memberId, this.config.coalition.timeZone);
    if (today >= game.playsPerMemberPerDay) {
      throw new AppError('PLAY_LIMIT_REACHED', `At most ${game.playsPerMemberPerDay} plays of this game per member per day`, { limit: game.playsPerMemberPerDay });
    }
    const account = await lockMemberAccount(manager, memberId);
    if (!account) throw notFound('Member');

    let costTransactionId: string | null = null;
    if (game.costPoints > 0n) costTransactionId = await this.payCost(manager, game, memberId, account.id);

    const outcome = draw(game, seed.serverSeed, clientSeed, seed.nonce);
    const prize = BigInt(outcome.points);
    if (outcome.won) {
      // Every funding row this may draw on or refill (the sponsor's block, blocks clawback repayments refill), in order, before the game's row.
      await lockFunding(manager, [...(game.sponsorPartnerId ? [game.sponsorPartnerId] : []), ...(account.owesClawbacks ? await clawbackPartners(manager, [account.id]) : [])]);
    }

    let prizeTransactionId: string | null = null;
    if (outcome.won) {
      const blockDrawn = game.sponsorPartnerId ? await drawPrepaidBlock(manager, game.sponsorPartnerId, prize) : false;
      const written = await issuePoints(manager, {
        kind: 'BONUS',
        memberId,
        memberAccountId: account.id,
        issuer: { partnerId: game.sponsorPartnerId, unitPrice: game.prizeUnitPrice, currency: game.priceCurrency, blockDrawn },
        issuerAccountId: await issuerAccount(manager, game.sponsorPartnerId),
        points: prize,
        reference: `game prize: ${game.name}`.slice(0, 200),
        lifetimeMonths: this.config.expiryMonths,
        award: { kind: 'GAME', ruleId: game.id },
      }).catch(refuseBalanceOverflow('gameId'));
      prizeTransactionId = written.id;
    }
    const play = await insertPlay(manager, {
      gameId: game.id,
      memberId,
      nonce: seed.nonce,
      clientSeed,
      serverSeed: seed.serverSeed,
      serverSeedHash: seed.serverSeedHash,
      committedAt: seed.committedAt,
      won: outcome.won,
      prizeIndex: outcome.prizeIndex,
      points: prize,
      costPoints: game.costPoints,
      prizeTransactionId,
      costTransactionId,
    });
    const next = this.newSeed();
    await rotateSeed(manager, game.id, memberId, { serverSeed: next, serverSeedHash: seedHash(next), nonce: seed.nonce + 1 });
    // A prize is new points: they repay what the member owes back first, as any issuance does.
    // (No clawback can appear while the account is locked: what lockMemberAccount read still holds.)
    if (outcome.won && account.owesClawbacks) await settleClawbacks(manager, account.id, memberId);
    // Admitted last: the game's row, which every play of the game queues on, is held only from here to the
    // commit. Closed (window, budget) since the read above: the whole play rolls back, nothing is written.
    if (!(await admitPlay(manager, game.id, prize, outcome.won))) throw this.closed((await findGame(manager, game.id))!);
    return play;
  }

  /** The play's cost: a REDEEM honoured by the sponsor at its reimbursement snapshotted at creation, drawn on the member's lots. */
  private async payCost(manager: EntityManager, game: GameRow, memberId: string, accountId: string): Promise<string> {
    await expireDueLots(manager, accountId, memberId);
    if ((await availablePoints(manager, accountId)) < game.costPoints) throw new AppError('INSUFFICIENT_POINTS', `A play of this game costs ${game.costPoints} points`);
    const honoured = await ensureAccount(manager, 'PARTNER_HONOURED', game.sponsorPartnerId);
    const written = await insertTransaction(manager, {
      kind: 'REDEEM',
      partnerId: game.sponsorPartnerId,
      memberId,
      reference: `game play: ${game.name}`.slice(0, 200),
      points: -game.costPoints,
      unitPrice: game.costUnitPrice,
      priceCurrency: game.priceCurrency,
    });
    await post(manager, written.id, [
      { accountId, amount: -game.costPoints },
      { accountId: honoured, amount: game.costPoints },
    ]);
    await consumeLots(manager, written.id, accountId, game.costPoints);
    return written.id;
  }

  /** Recomputes a play from its revealed seed (the member who played, or the admin; anyone else NOT_FOUND). */
  async verify(viewer: Viewer, playIdInput: string): Promise<Verification> {
    const play = await this.visiblePlay(viewer, playIdInput);
    const game = (await findGame(this.dataSource.manager, play.gameId))!;
    const checked = verifyPlay(game, { ...play, points: Number(play.points) });
    return { ...checked, play };
  }

  /** A play the caller may read: the member who made it, or the admin. */
  async visiblePlay(viewer: Viewer, playIdInput: string): Promise<PlayRow> {
    const play = await findPlay(this.dataSource.manager, validate.uuid('playId', playIdInput));
    if (!play || !(isAdmin(viewer) || (viewer.memberId === play.memberId && viewer.scopes.has('member')))) throw notFound('Game play');
    return play;
  }

  /** The calling member's plays, newest first. */
  async myPlays(viewer: Viewer, gameIdInput: string | null, first: number): Promise<PlayRow[]> {
    const memberId = this.member(viewer);
    if (!Number.isSafeInteger(first) || first < 1 || first > 500) throw badInput('first', 'must be from 1 to 500');
    return memberPlays(this.dataSource.manager, memberId, gameIdInput == null ? null : validate.uuid('gameId', gameIdInput), first);
  }

  async loadGame(id: string): Promise<GameRow> {
    const game = await findGame(this.dataSource.manager, id);
    if (!game) throw notFound('Game');
    return game;
  }

  private async loadPlay(id: string): Promise<PlayRow> {
    const play = await findPlay(this.dataSource.manager, id);
    if (!play) throw notFound('Game play');
    return play;
  }

  private toNextPlay(game: GameRow, seed: SeedRow, today: number): NextPlay {
    return {
      gameId: game.id,
      serverSeedHash: seed.serverSeedHash,
      nonce: seed.nonce,
      committedAt: seed.committedAt,
      playsToday: today,
      playsLeftToday: Math.max(0, game.playsPerMemberPerDay - today),
    };
  }

  private closed(game: GameRow): AppError {
    const now = Date.now();
    const reason =
      game.startsAt && game.startsAt.getTime() > now
        ? `opens at ${game.startsAt.toISOString()}`
        : game.endsAt && game.endsAt.getTime() <= now
          ? `ended at ${game.endsAt.toISOString()}`
          : 'its budget is spent';
    return new AppError('GAME_CLOSED', `The game is closed: ${reason}`);
  }

  private member(viewer: Viewer): string {
    if (!viewer.memberId || !viewer.scopes.has('member')) throw forbidden('Requires a member token');
    return viewer.memberId;
  }

  private maySee(viewer: Viewer, game: GameRow): boolean {
    if (isAdmin(viewer) || (viewer.memberId && viewer.scopes.has('member'))) return true;
    return !!viewer.partnerId && game.sponsorPartnerId === viewer.partnerId;
  }

  /** Who sponsors: the admin names a partner or none (the coalition); a partner with points:earn only itself. */
  private sponsor(viewer: Viewer, sponsorPartnerId: string | null | undefined): { partnerId: string | null; self: boolean } {
    if (isAdmin(viewer)) return { partnerId: sponsorPartnerId ? validate.uuid('sponsorPartnerId', sponsorPartnerId) : null, self: false };
    if (!viewer.partnerId || !viewer.scopes.has('points:earn')) throw forbidden('Requires scope admin or a partner token with points:earn');
    if (sponsorPartnerId && sponsorPartnerId.toLowerCase() !== viewer.partnerId) throw forbidden('A partner creates only games it sponsors itself');
    return { partnerId: viewer.partnerId, self: true };
  }

  /** The prices in force now, snapshotted on the game: the sponsor's issue price and reimbursement, or the marketing price. */
  private async prices(viewer: Viewer, sponsor: { partnerId: string | null; self: boolean }, requestId: string): Promise<{ issuePrice: string; reimbursement: string | null; currency: string }> {
    if (sponsor.partnerId === null) return { issuePrice: this.config.coalition.marketingPointPrice, reimbursement: null, currency: this.config.coalition.currency };
    if (sponsor.self) {
      const partner = await this.directory.requireActiveCallingPartner(viewer, requestId);
      return { issuePrice: partner.issuePrice, reimbursement: partner.reimbursement, currency: partner.currency };
    }
    const partner = await this.directory.partner(viewer, sponsor.partnerId, requestId);
    if (!partner || partner.issuePrice === null || partner.reimbursement === null) throw badInput('sponsorPartnerId', 'no onboarded partner has this id');
    return { issuePrice: partner.issuePrice, reimbursement: partner.reimbursement, currency: partner.currency };
  }
}
