import { type DataSource } from 'typeorm';
import {
  AppError,
  badInput,
  callerOf,
  forbidden,
  idempotentIfKeyed,
  isAdmin,
  isSelf,
  parseMoney,
  recordAudit,
  requireScope,
  storedResult,
  validate,
  validateIdempotencyKey,
  type Viewer,
} from '../../../../lib/src';
import { type DirectoryClient } from '../clients/directory.client';
import { rewardOfferProblem, type OfferReward, type StampProgress } from '../domain/stamp-card.rules';
import { parseMultiplier } from './programme.service';
import { activationsOf, type ActivationRow } from '../persistence/offer-activations.repository';
import { findStampCard, insertStampCard, listStampCards, memberStampCards, type StampCardRow } from '../persistence/stamp-cards.repository';

export interface StampCardInput {
  partnerId?: string | null;
  name: string;
  stampsRequired: number;
  minAmount?: { amount: string; currency: string } | null;
  category?: string | null;
  sku?: string | null;
  perQuantity?: boolean | null;
  rewardPoints?: number | null;
  rewardOfferId?: string | null;
  startsAt?: string | null;
  endsAt?: string | null;
  /** Optional for now (the input gained it after clients were written), required in a later version. */
  idempotencyKey?: string | null;
}

/**
 * Partners' stamp cards: a partner (points:earn) defines its own, the admin any partner's. The earn
 * collects stamps and rewards full cards (see collectStamps); members see their progress. A card rewards
 * points, or one of its partner's own earn offers (MULTIPLIER, BONUS_POINTS), read from the partners
 * subgraph's catalogue as the caller and kept with the card.
 * Raises: FORBIDDEN, BAD_USER_INPUT, OFFER_NOT_AVAILABLE, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class StampCardService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: DirectoryClient,
  ) {}

  /**
   * Defines a card. With an idempotency key, a retry answers the card first made (checked once the caller
   * may create cards, before the input's other checks: the reward offer may have been retired since), and
   * the same key with another input IDEMPOTENCY_KEY_REUSED.
   */
  async create(viewer: Viewer, input: StampCardInput, requestId: string): Promise<StampCardRow> {
    let partnerId: string;
    if (isAdmin(viewer)) {
      if (input.partnerId == null) throw badInput('partnerId', 'is required for the admin');
      partnerId = validate.uuid('partnerId', input.partnerId);
    } else {
      requireScope(viewer, 'points:earn');
      if (!viewer.partnerId) throw forbidden('Requires a partner token');
      if (input.partnerId != null && input.partnerId !== viewer.partnerId) throw forbidden('A partner defines stamp cards for itself only');
      partnerId = viewer.partnerId;
    }
    if (input.idempotencyKey != null) validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'createStampCard', key: input.idempotencyKey ?? null, input };
    if (request.key !== null) {
      const replay = await storedResult<{ cardId: string }>(this.dataSource.manager, { ...request, key: request.key });
      if (replay) return this.stored(replay.cardId);
    }
    const stampsRequired = validate.points('stampsRequired', input.stampsRequired, 2);
    if (stampsRequired > 100) throw badInput('stampsRequired', 'must be at most 100');
    if ((input.rewardPoints == null) === (input.rewardOfferId == null)) throw badInput('rewardPoints', 'give either rewardPoints or rewardOfferId');
    const rewardPoints = input.rewardPoints == null ? null : validate.points('rewardPoints', input.rewardPoints, 1);
    if (rewardPoints !== null && rewardPoints > 1_000_000) throw badInput('rewardPoints', 'must be at most 1000000');
    const rewardOfferId = input.rewardOfferId == null ? null : validate.uuid('rewardOfferId', input.rewardOfferId);
    if (input.category != null && input.sku != null) throw badInput('sku', 'a card counts either a category or a SKU, not both');
    const category = input.category == null ? null : input.category.trim().toLowerCase();
    if (category !== null && !/^[\x21-\x7e]{1,64}$/.test(category)) throw badInput('category', 'must be 1 to 64 printable ASCII characters without spaces');
    if (input.sku != null && !/^[\x21-\x7e]{1,64}$/.test(input.sku)) throw badInput('sku', 'must be 1 to 64 printable ASCII characters without spaces');
    const startsAt = input.startsAt == null ? null : validate.instant('startsAt', input.startsAt);
    const endsAt = input.endsAt == null ? null : validate.instant('endsAt', input.endsAt);
    if (endsAt && endsAt <= (startsAt ?? new Date())) throw badInput('endsAt', 'must be after startsAt and in the future');
    const minAmount = input.minAmount == null ? null : parseMoney('minAmount', input.minAmount);
    const rewardOffer = rewardOfferId === null ? null : await this.rewardOffer(viewer, partnerId, rewardOfferId, endsAt, requestId);
    let created: StampCardRow | undefined;
    const { cardId } = await this.dataSource.transaction((manager) =>
      idempotentIfKeyed(manager, request, async () => {
        const card = await insertStampCard(manager, {
        partnerId,
        name: validate.text('name', input.name, 200),
        stampsRequired,
        minAmountMinor: minAmount?.minor ?? null,
        minAmountCurrency: minAmount?.currency ?? null,
        category,
        sku: input.sku ?? null,
        perQuantity: input.perQuantity ?? false,
        rewardPoints: rewardPoints === null ? null : BigInt(rewardPoints),
        rewardOffer,
        startsAt: startsAt as Date,
        endsAt,
        createdBy: viewer.subject,
      });
        await recordAudit(manager, viewer, card.id);
        created = card;
        return { cardId: card.id };
      }),
    );
    // A retry that raced the original (waited on its key) answers the card the original made.
    return created ?? this.stored(cardId);
  }

  private async stored(cardId: string): Promise<StampCardRow> {
    const card = await findStampCard(this.dataSource.manager, cardId);
    if (!card) throw new Error(`stamp card ${cardId} of a stored result is missing`);
    return card;
  }

  /**
   * The offer a card rewards with, as the caller reads it in the partners subgraph's catalogue: the card's
   * partner's own, published, an earn offer (MULTIPLIER or BONUS_POINTS: an activation of it adds to an
   * earn), and lasting as long as the card (a card must not promise an offer that ends before it does).
   * OFFER_NOT_AVAILABLE otherwise, naming why.
   */
  private async rewardOffer(viewer: Viewer, partnerId: string, offerId: string, cardEndsAt: Date | null, requestId: string): Promise<OfferReward> {
    const offer = await this.directory.partners.offer(viewer, offerId, requestId);
    const problem = rewardOfferProblem(offer, partnerId, cardEndsAt, new Date());
    if (problem || !offer || offer.kind === 'POINTS_PRICE') throw new AppError('OFFER_NOT_AVAILABLE', `Offer not available as a stamp card's reward: ${problem ?? 'not an earn offer'}`);
    return {
      offerId: offer.id,
      kind: offer.kind,
      multiplierMilli: offer.multiplier === null ? null : parseMultiplier('multiplier', offer.multiplier),
      bonusPoints: offer.points === null ? null : BigInt(offer.points),
      minTier: offer.minTier,
      validFrom: offer.validFrom,
      validTo: offer.validTo,
      uses: offer.usesPerMember,
    };
  }

  /** A partner's own cards; the admin's all. */
  async cards(viewer: Viewer): Promise<StampCardRow[]> {
    if (!isAdmin(viewer) && !viewer.partnerId) throw forbidden('Stamp cards are listed for partners and the admin');
    return listStampCards(this.dataSource.manager, isAdmin(viewer) ? null : (viewer.partnerId as string));
  }

  /** A member's cards with progress: the member and the admin. */
  async ofMember(viewer: Viewer, memberId: string): Promise<(StampCardRow & { progress: StampProgress; rewardActivations: ActivationRow[] })[]> {
    if (!isAdmin(viewer) && !isSelf(viewer, memberId)) throw forbidden("Only the member and the admin see a member's stamp cards");
    const [cards, activations] = await Promise.all([memberStampCards(this.dataSource.manager, memberId), activationsOf(this.dataSource.manager, memberId)]);
    return cards.map((c) => ({ ...c, rewardActivations: activations.filter((a) => a.stampCardId === c.id) }));
  }
}
