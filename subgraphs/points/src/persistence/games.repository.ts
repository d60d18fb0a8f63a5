import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';
import { type GamePrize } from '../domain/game.rules';

/**
 * The SQL of games (GameService): games and their budgets, each member's committed server seed, and plays.
 * Decides nothing; the admission of a play (window, budget) is one conditional UPDATE here so that it
 * holds under any number of concurrent plays.
 */

export interface GameRow {
  id: string;
  name: string;
  sponsorPartnerId: string | null;
  winChance: string;
  winThreshold: bigint;
  prizes: GamePrize[];
  maxPrizePoints: bigint;
  budgetPoints: bigint;
  remainingPoints: bigint;
  paidPoints: bigint;
  playsPerMemberPerDay: number;
  costPoints: bigint;
  startsAt: Date | null;
  endsAt: Date | null;
  prizeUnitPrice: string;
  costUnitPrice: string | null;
  priceCurrency: string;
  plays: bigint;
  wins: bigint;
  createdAt: Date;
  /** Database time when read: whether the window is open now. */
  open: boolean;
}

const GAME_COLUMNS = `id, name, sponsor_partner_id, win_chance::text, win_threshold::text, prizes, max_prize_points::text, budget_points::text,
  remaining_points::text, paid_points::text, plays_per_member_per_day, cost_points::text, starts_at, ends_at, prize_unit_price::text,
  cost_unit_price::text, price_currency, plays::text, wins::text, created_at,
  ((starts_at IS NULL OR starts_at <= now()) AND (ends_at IS NULL OR ends_at > now())) AS open`;

interface RawGame {
  id: string;
  name: string;
  sponsor_partner_id: string | null;
  win_chance: string;
  win_threshold: string;
  prizes: GamePrize[];
  max_prize_points: string;
  budget_points: string;
  remaining_points: string;
  paid_points: string;
  plays_per_member_per_day: number;
  cost_points: string;
  starts_at: Date | null;
  ends_at: Date | null;
  prize_unit_price: string;
  cost_unit_price: string | null;
  price_currency: string;
  plays: string;
  wins: string;
  created_at: Date;
  open: boolean;
}

function toGame(r: RawGame): GameRow {
  return {
    id: r.id,
    name: r.name,
    sponsorPartnerId: r.sponsor_partner_id,
    winChance: r.win_chance,
    winThreshold: BigInt(r.win_threshold),
    prizes: r.prizes,
    maxPrizePoints: BigInt(r.max_prize_points),
    budgetPoints: BigInt(r.budget_points),
    remainingPoints: BigInt(r.remaining_points),
    paidPoints: BigInt(r.paid_points),
    playsPerMemberPerDay: r.plays_per_member_per_day,
    costPoints: BigInt(r.cost_points),
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    prizeUnitPrice: r.prize_unit_price,
    costUnitPrice: r.cost_unit_price,
    priceCurrency: r.price_currency,
    plays: BigInt(r.plays),
    wins: BigInt(r.wins),
    createdAt: r.created_at,
    open: r.open,
  };
}

export interface NewGame {
  name: string;
  sponsorPartnerId: string | null;
  winChance: string;
  winThreshold: bigint;
  prizes: GamePrize[];
  maxPrizePoints: number;
  budgetPoints: number;
  playsPerMemberPerDay: number;
  costPoints: number;
  startsAt: Date | null;
  endsAt: Date | null;
  prizeUnitPrice: string;
  costUnitPrice: string | null;
  priceCurrency: string;
  createdBy: string;
}

export async function insertGame(manager: EntityManager, g: NewGame): Promise<GameRow> {
  const { rows } = await sql<RawGame>(
    manager,
    `INSERT INTO games (name, sponsor_partner_id, win_chance, win_threshold, prizes, max_prize_points, budget_points, remaining_points,
                        plays_per_member_per_day, cost_points, starts_at, ends_at, prize_unit_price, cost_unit_price, price_currency, created_by)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING ${GAME_COLUMNS}`,
    [
      g.name,
      g.sponsorPartnerId,
      g.winChance,
      g.winThreshold.toString(),
      JSON.stringify(g.prizes),
      g.maxPrizePoints,
      g.budgetPoints,
      g.playsPerMemberPerDay,
      g.costPoints,
      g.startsAt,
      g.endsAt,
      g.prizeUnitPrice,
      g.costUnitPrice,
      g.priceCurrency,
      g.createdBy,
    ],
  );
  return toGame(rows[0]);
}

export async function findGame(manager: EntityManager, id: string): Promise<GameRow | null> {
  const { rows } = await sql<RawGame>(manager, `SELECT ${GAME_COLUMNS} FROM games WHERE id = $1`, [id]);
  return rows[0] ? toGame(rows[0]) : null;
}

/** Games newest first: all of them, or one sponsor's (a partner id), optionally only those open now with budget left. */
export async function listGames(manager: EntityManager, filter: { sponsorPartnerId?: string; openOnly: boolean; first: number }): Promise<GameRow[]> {
  const { rows } = await sql<RawGame>(
    manager,
    `SELECT ${GAME_COLUMNS} FROM games
      WHERE ($1::uuid IS NULL OR sponsor_partner_id = $1)
        AND (NOT $2 OR ((starts_at IS NULL OR starts_at <= now()) AND (ends_at IS NULL OR ends_at > now()) AND remaining_points >= max_prize_points))
      ORDER BY created_at DESC, id LIMIT $3`,
    [filter.sponsorPartnerId ?? null, filter.openOnly, filter.first],
  );
  return rows.map(toGame);
}

/**
 * Admits one play: counts it, and takes its prize from the budget, in one statement that only succeeds
 * while the window is open (database time) and the budget still holds the largest prize. Concurrent plays
 * queue on the game's row and each re-checks the condition after the one before it committed, so no
 * interleaving ever takes the budget below zero (backed by CHECK (remaining_points >= 0)). Answers false
 * when the game is closed (nothing changed).
 */
export async function admitPlay(manager: EntityManager, gameId: string, points: bigint, won: boolean): Promise<boolean> {
  const { rows } = await sql<{ id: string }>(
    manager,
    `UPDATE games SET remaining_points = remaining_points - $2, paid_points = paid_points + $2, plays = plays + 1, wins = wins + $3
      WHERE id = $1 AND remaining_points >= max_prize_points AND remaining_points >= $2
        AND (starts_at IS NULL OR starts_at <= now()) AND (ends_at IS NULL OR ends_at > now())
      RETURNING id`,
    [gameId, points.toString(), won ? 1 : 0],
  );
  return rows.length === 1;
}

export interface SeedRow {
  serverSeed: string;
  serverSeedHash: string;
  nonce: number;
  committedAt: Date;
}

/** The member's commitment for their next play of the game, made now if there is none (two callers racing make one). */
export async function commitSeed(manager: EntityManager, gameId: string, memberId: string, seed: { serverSeed: string; serverSeedHash: string }): Promise<SeedRow> {
  await sql(
    manager,
    `INSERT INTO game_seeds (game_id, member_id, server_seed, server_seed_hash, nonce) VALUES ($1, $2, $3, $4, 0) ON CONFLICT (game_id, member_id) DO NOTHING`,
    [gameId, memberId, seed.serverSeed, seed.serverSeedHash],
  );
  return (await readSeed(manager, gameId, memberId, false))!;
}

/** The member's commitment; `lock` holds its row for the rest of the transaction (one play at a time per member and game). */
export async function readSeed(manager: EntityManager, gameId: string, memberId: string, lock: boolean): Promise<SeedRow | null> {
  const { rows } = await sql<{ server_seed: string; server_seed_hash: string; nonce: number; committed_at: Date }>(
    manager,
    `SELECT server_seed, server_seed_hash, nonce, committed_at FROM game_seeds WHERE game_id = $1 AND member_id = $2 ${lock ? 'FOR UPDATE' : ''}`,
    [gameId, memberId],
  );
  const r = rows[0];
  return r ? { serverSeed: r.server_seed, serverSeedHash: r.server_seed_hash, nonce: r.nonce, committedAt: r.committed_at } : null;
}

/** After a play: the next seed is committed, under the next nonce. */
export async function rotateSeed(manager: EntityManager, gameId: string, memberId: string, next: { serverSeed: string; serverSeedHash: string; nonce: number }): Promise<void> {
  await sql(
    manager,
    `UPDATE game_seeds SET server_seed = $3, server_seed_hash = $4, nonce = $5, committed_at = now() WHERE game_id = $1 AND member_id = $2`,
    [gameId, memberId, next.serverSeed, next.serverSeedHash, next.nonce],
  );
}

/** The member's plays of the game since the start of the current day on the coalition's calendar (database time). */
export async function playsToday(manager: EntityManager, gameId: string, memberId: string, timeZone: string): Promise<number> {
  const { rows } = await sql<{ n: number }>(
    manager,
    `SELECT count(*)::int AS n FROM game_plays
      WHERE member_id = $2 AND game_id = $1 AND created_at >= (date_trunc('day', now() AT TIME ZONE $3) AT TIME ZONE $3)`,
    [gameId, memberId, timeZone],
  );
  return rows[0].n;
}

export interface PlayRow {
  id: string;
  gameId: string;
  memberId: string;
  nonce: number;
  clientSeed: string;
  serverSeed: string;
  serverSeedHash: string;
  committedAt: Date;
  won: boolean;
  prizeIndex: number | null;
  points: bigint;
  costPoints: bigint;
  prizeTransactionId: string | null;
  costTransactionId: string | null;
  createdAt: Date;
}

const PLAY_COLUMNS = `id, game_id, member_id, nonce, client_seed, server_seed, server_seed_hash, committed_at, won, prize_index, points::text,
  cost_points::text, prize_transaction_id, cost_transaction_id, created_at`;

interface RawPlay {
  id: string;
  game_id: string;
  member_id: string;
  nonce: number;
  client_seed: string;
  server_seed: string;
  server_seed_hash: string;
  committed_at: Date;
  won: boolean;
  prize_index: number | null;
  points: string;
  cost_points: string;
  prize_transaction_id: string | null;
  cost_transaction_id: string | null;
  created_at: Date;
}

function toPlay(r: RawPlay): PlayRow {
  return {
    id: r.id,
    gameId: r.game_id,
    memberId: r.member_id,
    nonce: r.nonce,
    clientSeed: r.client_seed,
    serverSeed: r.server_seed,
    serverSeedHash: r.server_seed_hash,
    committedAt: r.committed_at,
    won: r.won,
    prizeIndex: r.prize_index,
    points: BigInt(r.points),
    costPoints: BigInt(r.cost_points),
    prizeTransactionId: r.prize_transaction_id,
    costTransactionId: r.cost_transaction_id,
    createdAt: r.created_at,
  };
}

export async function insertPlay(manager: EntityManager, p: Omit<PlayRow, 'id' | 'createdAt'>): Promise<PlayRow> {
  const { rows } = await sql<RawPlay>(
    manager,
    `INSERT INTO game_plays (game_id, member_id, nonce, client_seed, server_seed, server_seed_hash, committed_at, won, prize_index, points, cost_points,
                             prize_transaction_id, cost_transaction_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ${PLAY_COLUMNS}`,
    [
      p.gameId,
      p.memberId,
      p.nonce,
      p.clientSeed,
      p.serverSeed,
      p.serverSeedHash,
      p.committedAt,
      p.won,
      p.prizeIndex,
      p.points.toString(),
      p.costPoints.toString(),
      p.prizeTransactionId,
      p.costTransactionId,
    ],
  );
  return toPlay(rows[0]);
}

export async function findPlay(manager: EntityManager, id: string): Promise<PlayRow | null> {
  const { rows } = await sql<RawPlay>(manager, `SELECT ${PLAY_COLUMNS} FROM game_plays WHERE id = $1`, [id]);
  return rows[0] ? toPlay(rows[0]) : null;
}

/** The member's plays, newest first (of one game, or all). */
export async function memberPlays(manager: EntityManager, memberId: string, gameId: string | null, first: number): Promise<PlayRow[]> {
  const { rows } = await sql<RawPlay>(
    manager,
    `SELECT ${PLAY_COLUMNS} FROM game_plays WHERE member_id = $1 AND ($2::uuid IS NULL OR game_id = $2) ORDER BY created_at DESC, nonce DESC LIMIT $3`,
    [memberId, gameId, first],
  );
  return rows.map(toPlay);
}
