import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { draw, DRAW_SPACE, expectedRange99, formatMillionths, GameInputProblem, gameRules, measuredRate, parseWinChance, seedHash, verifyPlay, winThreshold } from '../domain/game.rules';

const PRIZES = [
  { points: 10, weight: 6 },
  { points: 50, weight: 3 },
  { points: 500, weight: 1 },
];

/** Deterministic server seeds from a printed master seed, so a run can be repeated exactly. */
const MASTER = process.env.GAME_TEST_SEED ?? 'coalition-hub-games-1';
const serverSeed = (i: number) => createHash('sha256').update(`${MASTER}:${i}`).digest('hex');

describe('game rules', () => {
  it('winChance: at least 0.25, at most 1, at most 6 decimals; the threshold is ceil(winChance × 2^52)', () => {
    expect(parseWinChance('0.25')).toBe(250_000n);
    expect(parseWinChance('1')).toBe(1_000_000n);
    for (const bad of ['0.2499', '0.1', '1.01', '2', '0.3333333', '.3', '30%', '']) {
      expect(() => parseWinChance(bad)).toThrow(GameInputProblem);
    }
    expect(winThreshold(1_000_000n)).toBe(DRAW_SPACE);
    expect(winThreshold(500_000n)).toBe(DRAW_SPACE / 2n);
    expect(winThreshold(300_000n)).toBe((3n * DRAW_SPACE + 9n) / 10n);
    expect(formatMillionths(300_000n)).toBe('0.3');
  });

  it('refuses a budget below the largest prize and names the field', () => {
    const input = { name: 'Wheel', winChance: '0.3', prizes: PRIZES, budgetPoints: 499 };
    expect(() => gameRules(input)).toThrow(expect.objectContaining({ field: 'budgetPoints' }));
    expect(gameRules({ ...input, budgetPoints: 500 })).toMatchObject({ maxPrizePoints: 500, playsPerMemberPerDay: 1, costPoints: 0 });
  });

  it('the draw is HMAC-SHA256(serverSeed, clientSeed:nonce): the first 52 bits against the threshold, the next 52 mod the weights', () => {
    const game = { winThreshold: winThreshold(500_000n), prizes: PRIZES };
    const seed = serverSeed(0);
    const d = draw(game, seed, 'alice', 7);
    const hex = createHmac('sha256', seed).update('alice:7').digest('hex');
    expect(d.digest).toBe(hex);
    expect(d.winDraw).toBe(BigInt(`0x${hex.slice(0, 13)}`));
    expect(d.won).toBe(d.winDraw < game.winThreshold);
    expect(d.prizeDraw).toBe(BigInt(`0x${hex.slice(13, 26)}`) % 10n);
    if (d.won) expect(d.prizeIndex).toBe(d.prizeDraw < 6n ? 0 : d.prizeDraw < 9n ? 1 : 2);
  });

  it('a tampered seed, or a tampered outcome, fails verification', () => {
    const game = { winThreshold: winThreshold(500_000n), prizes: PRIZES };
    const seed = serverSeed(1);
    const d = draw(game, seed, 'bob', 0);
    const honest = { serverSeed: seed, serverSeedHash: seedHash(seed), clientSeed: 'bob', nonce: 0, won: d.won, points: d.points, prizeIndex: d.prizeIndex };
    expect(verifyPlay(game, honest).valid).toBe(true);
    expect(verifyPlay(game, { ...honest, serverSeed: serverSeed(2) })).toMatchObject({ valid: false, seedMatchesHash: false });
    expect(verifyPlay(game, { ...honest, won: !d.won, points: d.won ? 0 : 10, prizeIndex: d.won ? null : 0 })).toMatchObject({ valid: false, outcomeMatches: false });
  });

  it('over 10,000 plays the measured win rate lies within the 99 % interval of the published rate, and prizes follow their weights', () => {
    const p = 0.3;
    const game = { winThreshold: winThreshold(parseWinChance(String(p))), prizes: PRIZES };
    const n = 10_000;
    let wins = 0;
    const byPrize = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const d = draw(game, serverSeed(i), `member-${i % 97}`, i);
      if (d.won) {
        wins += 1;
        byPrize[d.prizeIndex!] += 1;
      }
    }
    const range = expectedRange99(p, n);
    console.log(`seed ${MASTER}: ${wins} wins in ${n} plays (${measuredRate(BigInt(wins), BigInt(n))}); 99 % range ${range.low.toFixed(4)}..${range.high.toFixed(4)}; prizes ${byPrize.join('/')}`);
    expect(wins / n).toBeGreaterThanOrEqual(range.low);
    expect(wins / n).toBeLessThanOrEqual(range.high);
    for (const [i, prize] of PRIZES.entries()) {
      const share = prize.weight / 10;
      const r = expectedRange99(share, wins);
      expect(byPrize[i] / wins).toBeGreaterThanOrEqual(r.low);
      expect(byPrize[i] / wins).toBeLessThanOrEqual(r.high);
    }
  });
});
