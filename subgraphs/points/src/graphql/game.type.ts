import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { expectedRange99, measuredRate } from '../domain/game.rules';
import { type GameRow, type PlayRow } from '../persistence/games.repository';
import { type NextPlay, type Verification } from '../services/game.service';
import { PartnerRefType, toInt } from './points.type';

@InputType('GamePrizeInput')
export class GamePrizeInput {
  @Field(() => Int, { description: 'Points the prize pays, 1 to 1,000,000.' })
  points!: number;

  @Field(() => Int, { description: 'Among winning plays, a prize is drawn by weight (1 to 1,000,000).' })
  weight!: number;
}

@InputType('CreateGameInput')
export class CreateGameInput {
  @Field(() => String, { description: '1 to 100 characters.' })
  name!: string;

  @Field(() => ID, { nullable: true, description: "The sponsor: the admin names a partner, or none for the coalition's marketing budget; a partner may only name itself." })
  sponsorPartnerId?: string | null;

  @Field(() => String, { description: 'The published chance of winning, a decimal from 0.25 to 1 with at most 6 decimals ("0.3").' })
  winChance!: string;

  @Field(() => [GamePrizeInput], { description: '1 to 20 prizes, in the order the draw walks them.' })
  prizes!: GamePrizeInput[];

  @Field(() => Int, { description: 'The most the game pays in prizes, at least its largest prize.' })
  budgetPoints!: number;

  @Field(() => Int, { nullable: true, description: "Plays per member per day on the coalition's calendar, 1 to 1,000 (default 1)." })
  playsPerMemberPerDay?: number | null;

  @Field(() => Int, { nullable: true, description: 'Points a play costs (default 0): a redemption honoured by the sponsor. Only for a partner-sponsored game.' })
  costPoints?: number | null;

  @Field(() => String, { nullable: true, description: 'When plays open (ISO 8601 with a zone); none: at once.' })
  startsAt?: string | null;

  @Field(() => String, { nullable: true, description: 'When plays close (exclusive); none: when the budget is spent.' })
  endsAt?: string | null;

  @Field(() => String)
  idempotencyKey!: string;
}

@InputType('PlayGameInput')
export class PlayGameInput {
  @Field(() => ID)
  gameId!: string;

  @Field(() => String, { description: "Your own seed, chosen after reading nextGamePlay: 1 to 64 letters, digits, '-', '_', '.' or '~'." })
  clientSeed!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The serverSeedHash nextGamePlay showed you: when given, the play is refused (BAD_USER_INPUT) unless that is the seed that draws it.',
  })
  serverSeedHash?: string | null;

  @Field(() => String)
  idempotencyKey!: string;
}

@ObjectType('GamePrize')
export class GamePrizeType {
  @Field(() => Int)
  points!: number;

  @Field(() => Int)
  weight!: number;
}

@ObjectType('GameWinRateRange', { description: 'Where a fair game\'s measured win rate lies 99 times in 100 after this many plays (normal approximation).' })
export class GameWinRateRangeType {
  @Field(() => String)
  low!: string;

  @Field(() => String)
  high!: string;
}

@ObjectType('Game', { description: 'A provably fair game (README "Games").' })
export class GameType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => PartnerRefType, { nullable: true, description: "The sponsoring partner; null: the coalition's marketing budget." })
  sponsor!: PartnerRefType | null;

  @Field(() => String, { description: 'The published chance of winning (decimal).' })
  winChance!: string;

  @Field(() => String, {
    description: 'ceil(winChance × 2^52), decimal: a play wins when the first 13 hex characters of its HMAC, as an integer, are below it.',
  })
  winThreshold!: string;

  @Field(() => [GamePrizeType], { description: 'The prize table, in the order the draw walks it.' })
  prizes!: GamePrizeType[];

  @Field(() => Int)
  budgetPoints!: number;

  @Field(() => Int, { description: 'Budget not yet paid. Plays are admitted while it holds the largest prize.' })
  remainingBudget!: number;

  @Field(() => Int)
  paidPoints!: number;

  @Field(() => Int)
  playsPerMemberPerDay!: number;

  @Field(() => Int)
  costPoints!: number;

  @Field(() => String, { nullable: true })
  startsAt!: string | null;

  @Field(() => String, { nullable: true })
  endsAt!: string | null;

  @Field(() => Boolean, { description: 'Plays are admitted now: inside the window, and the budget holds the largest prize.' })
  open!: boolean;

  @Field(() => Int)
  plays!: number;

  @Field(() => Int)
  wins!: number;

  @Field(() => String, { description: 'wins / plays over every play so far, 4 decimals ("0" before any play), beside the published winChance.' })
  measuredWinRate!: string;

  @Field(() => GameWinRateRangeType, { description: 'The 99 % range a fair game\'s measured rate lies in after this many plays.' })
  expectedWinRateRange99!: GameWinRateRangeType;

  @Field(() => String)
  createdAt!: string;
}

@ObjectType('GamePayload')
export class GamePayload {
  @Field(() => GameType)
  game!: GameType;
}

@ObjectType('GamePlay', { description: 'One play: the committed hash, the revealed seed, the client seed and nonce, and the outcome.' })
export class GamePlayType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  gameId!: string;

  @Field(() => Boolean)
  won!: boolean;

  @Field(() => Int, { description: 'Points won (0 on a loss).' })
  points!: number;

  @Field(() => Int, { nullable: true, description: "The prize's index in the game's prize table (from 0); null on a loss." })
  prizeIndex!: number | null;

  @Field(() => Int, { description: 'Points the play cost.' })
  costPoints!: number;

  @Field(() => String, { description: 'SHA-256 of serverSeed, hex: published (nextGamePlay) before the play.' })
  serverSeedHash!: string;

  @Field(() => String, { nullable: true, description: 'Revealed after the play: the HMAC key.' })
  serverSeed!: string | null;

  @Field(() => String)
  clientSeed!: string;

  @Field(() => Int)
  nonce!: number;

  @Field(() => ID, { nullable: true, description: "The prize's BONUS transaction (award GAME)." })
  prizeTransactionId!: string | null;

  @Field(() => ID, { nullable: true, description: "The cost's REDEEM transaction." })
  costTransactionId!: string | null;

  @Field(() => String, { description: 'When the hash was committed (before the play).' })
  committedAt!: string;

  @Field(() => String)
  playedAt!: string;
}

@ObjectType('PlayGamePayload')
export class PlayGamePayload {
  @Field(() => GamePlayType)
  play!: GamePlayType;
}

@ObjectType('GameNextPlay', { description: 'The commitment for your next play: read it, then choose your client seed.' })
export class GameNextPlayType {
  @Field(() => ID)
  gameId!: string;

  @Field(() => String, { description: 'SHA-256 (hex) of the server seed that will draw your next play; the seed is revealed with the play.' })
  serverSeedHash!: string;

  @Field(() => Int)
  nonce!: number;

  @Field(() => String)
  committedAt!: string;

  @Field(() => Int)
  playsToday!: number;

  @Field(() => Int)
  playsLeftToday!: number;
}

@ObjectType('GamePlayVerification')
export class GamePlayVerificationType {
  @Field(() => Boolean, { description: 'The revealed seed hashes to the published hash, and the draw gives the recorded outcome.' })
  valid!: boolean;

  @Field(() => Boolean)
  seedMatchesHash!: boolean;

  @Field(() => Boolean)
  outcomeMatches!: boolean;

  @Field(() => String, { description: 'HMAC-SHA256(serverSeed, clientSeed:nonce), hex, recomputed.' })
  hmac!: string;

  @Field(() => String, { description: 'The first 13 hex characters as an integer (decimal): won when below the game\'s winThreshold.' })
  winDraw!: string;

  @Field(() => String, { description: 'Characters 14 to 26 as an integer, mod the total weight (decimal): which prize.' })
  prizeDraw!: string;

  @Field(() => GamePlayType)
  play!: GamePlayType;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toGameType(g: GameRow): GameType {
  const chance = Number(g.winChance);
  const range = expectedRange99(chance, Number(g.plays));
  return Object.assign(new GameType(), {
    id: g.id,
    name: g.name,
    sponsor: g.sponsorPartnerId ? Object.assign(new PartnerRefType(), { id: g.sponsorPartnerId }) : null,
    winChance: g.winChance.replace(/\.?0+$/, ''),
    winThreshold: g.winThreshold.toString(),
    prizes: g.prizes.map((p) => Object.assign(new GamePrizeType(), p)),
    budgetPoints: toInt(g.budgetPoints),
    remainingBudget: toInt(g.remainingPoints),
    paidPoints: toInt(g.paidPoints),
    playsPerMemberPerDay: g.playsPerMemberPerDay,
    costPoints: toInt(g.costPoints),
    startsAt: iso(g.startsAt),
    endsAt: iso(g.endsAt),
    open: g.open && g.remainingPoints >= g.maxPrizePoints,
    plays: toInt(g.plays),
    wins: toInt(g.wins),
    measuredWinRate: measuredRate(g.wins, g.plays),
    expectedWinRateRange99: Object.assign(new GameWinRateRangeType(), { low: range.low.toFixed(4), high: range.high.toFixed(4) }),
    createdAt: g.createdAt.toISOString(),
  });
}

export function toPlayType(p: PlayRow): GamePlayType {
  return Object.assign(new GamePlayType(), {
    id: p.id,
    gameId: p.gameId,
    won: p.won,
    points: toInt(p.points),
    prizeIndex: p.prizeIndex,
    costPoints: toInt(p.costPoints),
    serverSeedHash: p.serverSeedHash,
    serverSeed: p.serverSeed,
    clientSeed: p.clientSeed,
    nonce: p.nonce,
    prizeTransactionId: p.prizeTransactionId,
    costTransactionId: p.costTransactionId,
    committedAt: p.committedAt.toISOString(),
    playedAt: p.createdAt.toISOString(),
  });
}

export function toNextPlayType(n: NextPlay): GameNextPlayType {
  return Object.assign(new GameNextPlayType(), { ...n, committedAt: n.committedAt.toISOString() });
}

export function toVerificationType(v: Verification): GamePlayVerificationType {
  return Object.assign(new GamePlayVerificationType(), {
    valid: v.valid,
    seedMatchesHash: v.seedMatchesHash,
    outcomeMatches: v.outcomeMatches,
    hmac: v.draw.digest,
    winDraw: v.draw.winDraw.toString(),
    prizeDraw: v.draw.prizeDraw.toString(),
    play: toPlayType(v.play),
  });
}
