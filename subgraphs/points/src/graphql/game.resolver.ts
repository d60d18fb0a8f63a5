import { Arg, Ctx, Directive, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { anyScope, Authenticated } from '../../../../lib/src';
import { type PointsContext } from '../context';
import {
  CreateGameInput,
  GameNextPlayType,
  GamePayload,
  GamePlayType,
  GamePlayVerificationType,
  GameType,
  PlayGameInput,
  PlayGamePayload,
  toGameType,
  toNextPlayType,
  toPlayType,
  toVerificationType,
} from './game.type';

/** Provably fair games (GameService). Thin: one service call each. */
@Resolver()
export class GameResolver {
  @Directive(anyScope('admin', 'points:earn'))
  @Mutation(() => GamePayload, {
    description:
      "Creates a game: the admin for a partner it names (sponsorPartnerId) or the coalition (marketing budget); a partner with points:earn sponsors it itself. Prizes are paid at the sponsor's issue price in force at creation. Idempotent, audited.",
  })
  async createGame(@Arg('input', () => CreateGameInput) input: CreateGameInput, @Ctx() ctx: PointsContext): Promise<GamePayload> {
    return { game: toGameType(await ctx.games.create(ctx.viewer, input, ctx.requestId)) };
  }

  @Directive(anyScope('member'))
  @Mutation(() => PlayGamePayload, {
    description:
      'Plays a game with your client seed, drawn by the server seed committed in nextGamePlay (README "Games"); the seed is revealed in the answer and a new one committed. GAME_CLOSED, PLAY_LIMIT_REACHED. Idempotent. Scope: member.',
  })
  async playGame(@Arg('input', () => PlayGameInput) input: PlayGameInput, @Ctx() ctx: PointsContext): Promise<PlayGamePayload> {
    return { play: toPlayType(await ctx.games.play(ctx.viewer, input, ctx.requestId)) };
  }

  @Directive(anyScope('member'))
  @Query(() => GameNextPlayType, {
    description: 'The commitment for your next play of the game (the SHA-256 of its server seed, and the nonce), made now if none is waiting. Scope: member.',
  })
  async nextGamePlay(@Arg('gameId', () => ID) gameId: string, @Ctx() ctx: PointsContext): Promise<GameNextPlayType> {
    return toNextPlayType(await ctx.games.nextPlay(ctx.viewer, gameId));
  }

  @Directive(anyScope('member', 'admin'))
  @Query(() => GamePlayVerificationType, { description: 'Recomputes a play from its revealed seed. The member who played, or the admin.' })
  async verifyGamePlay(@Arg('playId', () => ID) playId: string, @Ctx() ctx: PointsContext): Promise<GamePlayVerificationType> {
    return toVerificationType(await ctx.games.verify(ctx.viewer, playId));
  }

  @Directive(Authenticated)
  @Query(() => GameType, { description: 'A game: members and the admin see any, a partner the games it sponsors.' })
  async game(@Arg('id', () => ID) id: string, @Ctx() ctx: PointsContext): Promise<GameType> {
    return toGameType(await ctx.games.game(ctx.viewer, id));
  }

  @Directive(Authenticated)
  @Query(() => [GameType], { description: 'Games, newest first: members and the admin all, a partner its own.' })
  async games(
    @Arg('openOnly', () => Boolean, { defaultValue: false }) openOnly: boolean,
    @Arg('first', () => Int, { defaultValue: 20, description: 'At most 100.' }) first: number,
    @Ctx() ctx: PointsContext,
  ): Promise<GameType[]> {
    return (await ctx.games.games(ctx.viewer, openOnly, first)).map(toGameType);
  }

  @Directive(anyScope('member'))
  @Query(() => [GamePlayType], { description: 'Your plays, newest first (of one game, or all). Scope: member.' })
  async myGamePlays(
    @Arg('gameId', () => ID, { nullable: true }) gameId: string | null,
    @Arg('first', () => Int, { defaultValue: 50, description: 'At most 500.' }) first: number,
    @Ctx() ctx: PointsContext,
  ): Promise<GamePlayType[]> {
    return (await ctx.games.myPlays(ctx.viewer, gameId ?? null, first)).map(toPlayType);
  }
}
