import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Provably fair games: the rules of a game's input and the draw, pure (README "Games").
 *
 * The draw of one play, from the server seed (64 hex characters, committed by its SHA-256 before the
 * play), the member's client seed and the nonce:
 *   digest = HMAC-SHA256(key = serverSeed as ASCII text, message = `${clientSeed}:${nonce}`), 64 hex chars
 *   x = the first 13 hex characters (52 bits) as an integer: u = x / 2^52 is uniform on [0, 1)
 *   won  ⇔  x < winThreshold, where winThreshold = ceil(winChance × 2^52) (published on the game)
 *   y = the next 13 hex characters (characters 14 to 26) as an integer; r = y mod (sum of the weights)
 *   the prize is the first one, in the game's order, whose running sum of weights exceeds r.
 * So P(won) = winThreshold / 2^52, which differs from winChance by less than 2^-52, and among wins prize i
 * comes with probability weight_i / total (off by less than total / 2^52 from modulo bias).
 */

export const DRAW_BITS = 52n;
export const DRAW_SPACE = 1n << DRAW_BITS; // 4503599627370496
const HEX_PER_DRAW = 13;

export const MIN_WIN_CHANCE = '0.25';
export const MAX_PRIZES = 20;
export const MAX_PRIZE_POINTS = 1_000_000;
export const MAX_WEIGHT = 1_000_000;
export const MAX_BUDGET_POINTS = 2_147_483_647;
export const MAX_PLAYS_PER_DAY = 1_000;
export const DEFAULT_PLAYS_PER_DAY = 1;
export const MAX_CLIENT_SEED_LENGTH = 64;

export interface GamePrize {
  points: number;
  weight: number;
}

/** A field-named problem with a game's input (the service turns it into BAD_USER_INPUT). */
export class GameInputProblem extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** winChance as millionths: a decimal string from 0.25 to 1 with at most 6 decimals. */
export function parseWinChance(value: string): bigint {
  const match = /^(0|1)(?:\.(\d{1,6}))?$/.exec(value.trim());
  if (!match) throw new GameInputProblem('winChance', 'must be a decimal from 0.25 to 1 with at most 6 decimals, e.g. "0.3"');
  const millionths = BigInt(match[1]) * 1_000_000n + BigInt((match[2] ?? '').padEnd(6, '0'));
  if (millionths < 250_000n) throw new GameInputProblem('winChance', 'must be at least 0.25 (a one-in-four chance to win)');
  if (millionths > 1_000_000n) throw new GameInputProblem('winChance', 'must be at most 1');
  return millionths;
}

/** ceil(winChance × 2^52): a play wins when its first 52 bits, as an integer, are below it. */
export function winThreshold(winChanceMillionths: bigint): bigint {
  return (winChanceMillionths * DRAW_SPACE + 999_999n) / 1_000_000n;
}

/** The decimal text of millionths, without trailing zeros ("0.3", "1"). */
export function formatMillionths(millionths: bigint): string {
  const whole = millionths / 1_000_000n;
  const fraction = (millionths % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole.toString();
}

export interface GameRules {
  name: string;
  winChanceMillionths: bigint;
  winThreshold: bigint;
  prizes: GamePrize[];
  maxPrizePoints: number;
  budgetPoints: number;
  playsPerMemberPerDay: number;
  costPoints: number;
  startsAt: Date | null;
  endsAt: Date | null;
}

function wholeNumber(field: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new GameInputProblem(field, `must be a whole number from ${min} to ${max}`);
  return value;
}

function instant(field: string, value: string | null | undefined): Date | null {
  if (value == null) return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GameInputProblem(field, 'must be an ISO 8601 time with a zone, e.g. 2026-12-01T00:00:00Z');
  }
  return new Date(value);
}

/** Checks a new game's input; the first problem is thrown, naming its field. */
export function gameRules(input: {
  name: string;
  winChance: string;
  prizes: readonly GamePrize[];
  budgetPoints: number;
  playsPerMemberPerDay?: number | null;
  costPoints?: number | null;
  startsAt?: string | null;
  endsAt?: string | null;
}): GameRules {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) throw new GameInputProblem('name', 'must be 1 to 100 characters');
  const winChanceMillionths = parseWinChance(input.winChance);
  if (input.prizes.length < 1 || input.prizes.length > MAX_PRIZES) throw new GameInputProblem('prizes', `must list 1 to ${MAX_PRIZES} prizes`);
  const prizes = input.prizes.map((p, i) => ({
    points: wholeNumber(`prizes[${i}].points`, p.points, 1, MAX_PRIZE_POINTS),
    weight: wholeNumber(`prizes[${i}].weight`, p.weight, 1, MAX_WEIGHT),
  }));
  const maxPrizePoints = Math.max(...prizes.map((p) => p.points));
  const budgetPoints = wholeNumber('budgetPoints', input.budgetPoints, 1, MAX_BUDGET_POINTS);
  if (budgetPoints < maxPrizePoints) throw new GameInputProblem('budgetPoints', `must be at least the largest prize (${maxPrizePoints} points)`);
  const playsPerMemberPerDay = wholeNumber('playsPerMemberPerDay', input.playsPerMemberPerDay ?? DEFAULT_PLAYS_PER_DAY, 1, MAX_PLAYS_PER_DAY);
  const costPoints = wholeNumber('costPoints', input.costPoints ?? 0, 0, MAX_PRIZE_POINTS);
  const startsAt = instant('startsAt', input.startsAt);
  const endsAt = instant('endsAt', input.endsAt);
  if (startsAt && endsAt && endsAt <= startsAt) throw new GameInputProblem('endsAt', 'must be after startsAt');
  return { name, winChanceMillionths, winThreshold: winThreshold(winChanceMillionths), prizes, maxPrizePoints, budgetPoints, playsPerMemberPerDay, costPoints, startsAt, endsAt };
}

/** A client seed: 1 to 64 letters, digits, '-', '_', '.' or '~', so the README's shell recipe takes it as it is, unquoted. */
export function validClientSeed(value: string): string {
  if (!/^[A-Za-z0-9._~-]{1,64}$/.test(value)) throw new GameInputProblem('clientSeed', `must be 1 to ${MAX_CLIENT_SEED_LENGTH} letters, digits, '-', '_', '.' or '~'`);
  return value;
}

/** A fresh server seed: 32 random bytes as 64 lower-case hex characters. */
export function newServerSeed(): string {
  return randomBytes(32).toString('hex');
}

/** The commitment published before a play: SHA-256 of the seed's text, hex. */
export function seedHash(serverSeed: string): string {
  return createHash('sha256').update(serverSeed, 'utf8').digest('hex');
}

export interface Draw {
  /** HMAC-SHA256(serverSeed, `${clientSeed}:${nonce}`), hex. */
  digest: string;
  /** The first 52 bits of the digest (decimal text of an integer below 2^52): won when below the threshold. */
  winDraw: bigint;
  /** The next 52 bits, mod the total weight: which prize. */
  prizeDraw: bigint;
  won: boolean;
  /** Index of the prize in the game's table (null: lost). */
  prizeIndex: number | null;
  points: number;
}

/** The outcome of one play; the same function verifies a play (verifyGamePlay) and draws it (playGame). */
export function draw(game: { winThreshold: bigint; prizes: readonly GamePrize[] }, serverSeed: string, clientSeed: string, nonce: number): Draw {
  const digest = createHmac('sha256', Buffer.from(serverSeed, 'utf8')).update(`${clientSeed}:${nonce}`, 'utf8').digest('hex');
  const winDraw = BigInt(`0x${digest.slice(0, HEX_PER_DRAW)}`);
  const total = game.prizes.reduce((sum, p) => sum + BigInt(p.weight), 0n);
  const prizeDraw = BigInt(`0x${digest.slice(HEX_PER_DRAW, 2 * HEX_PER_DRAW)}`) % total;
  const won = winDraw < game.winThreshold;
  let prizeIndex: number | null = null;
  if (won) {
    let running = 0n;
    for (let i = 0; i < game.prizes.length && prizeIndex === null; i++) {
      running += BigInt(game.prizes[i].weight);
      if (running > prizeDraw) prizeIndex = i;
    }
  }
  return { digest, winDraw, prizeDraw, won, prizeIndex, points: prizeIndex === null ? 0 : game.prizes[prizeIndex].points };
}

/** Whether a revealed play holds: the seed matches its published hash, and the draw gives the recorded outcome. */
export function verifyPlay(
  game: { winThreshold: bigint; prizes: readonly GamePrize[] },
  play: { serverSeed: string; serverSeedHash: string; clientSeed: string; nonce: number; won: boolean; points: number; prizeIndex: number | null },
): { valid: boolean; seedMatchesHash: boolean; outcomeMatches: boolean; draw: Draw } {
  const d = draw(game, play.serverSeed, play.clientSeed, play.nonce);
  const seedMatchesHash = seedHash(play.serverSeed) === play.serverSeedHash;
  const outcomeMatches = d.won === play.won && d.points === play.points && d.prizeIndex === play.prizeIndex;
  return { valid: seedMatchesHash && outcomeMatches, seedMatchesHash, outcomeMatches, draw: d };
}

/** The measured win rate, 4 decimals ("0" before any play). */
export function measuredRate(wins: bigint, plays: bigint): string {
  if (plays === 0n) return '0';
  const tenThousandths = (wins * 10_000n + plays / 2n) / plays;
  return formatMillionths(tenThousandths * 100n);
}

/**
 * The 99 % interval a fair game's measured rate lies in after `plays` plays of published chance p (normal
 * approximation of the binomial, z = 2.5758): p ± z·sqrt(p(1−p)/n). Reported beside the measured rate.
 */
export function expectedRange99(winChance: number, plays: number): { low: number; high: number } {
  if (plays <= 0) return { low: 0, high: 1 };
  const half = 2.5758 * Math.sqrt((winChance * (1 - winChance)) / plays);
  return { low: Math.max(0, winChance - half), high: Math.min(1, winChance + half) };
}
