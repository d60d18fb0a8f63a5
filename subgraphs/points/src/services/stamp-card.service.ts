import { type DataSource } from 'typeorm';
import { badInput, forbidden, isAdmin, isSelf, parseMoney, recordAudit, requireScope, validate, type Viewer } from '../../../../lib/src';
import { type StampProgress } from '../domain/stamp-card.rules';
import { insertStampCard, listStampCards, memberStampCards, type StampCardRow } from '../persistence/stamp-cards.repository';

export interface StampCardInput {
  partnerId?: string | null;
  name: string;
  stampsRequired: number;
  minAmount?: { amount: string; currency: string } | null;
  category?: string | null;
  sku?: string | null;
  perQuantity?: boolean | null;
  rewardPoints: number;
  startsAt?: string | null;
  endsAt?: string | null;
}

/**
 * Partners' stamp cards: a partner (points:earn) defines its own, the admin any partner's. The earn
 * collects stamps and rewards full cards (see collectStamps); members see their progress.
 * Raises: FORBIDDEN, BAD_USER_INPUT.
 */
export class StampCardService {
  constructor(private readonly dataSource: DataSource) {}

  async create(viewer: Viewer, input: StampCardInput): Promise<StampCardRow> {
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
    const stampsRequired = validate.points('stampsRequired', input.stampsRequired, 2);
    if (stampsRequired > 100) throw badInput('stampsRequired', 'must be at most 100');
    const rewardPoints = validate.points('rewardPoints', input.rewardPoints, 1);
    if (rewardPoints > 1_000_000) throw badInput('rewardPoints', 'must be at most 1000000');
    if (input.category != null && input.sku != null) throw badInput('sku', 'a card counts either a category or a SKU, not both');
    const category = input.category == null ? null : input.category.trim().toLowerCase();
    if (category !== null && !/^[\x21-\x7e]{1,64}$/.test(category)) throw badInput('category', 'must be 1 to 64 printable ASCII characters without spaces');
    if (input.sku != null && !/^[\x21-\x7e]{1,64}$/.test(input.sku)) throw badInput('sku', 'must be 1 to 64 printable ASCII characters without spaces');
    const startsAt = input.startsAt == null ? null : validate.instant('startsAt', input.startsAt);
    const endsAt = input.endsAt == null ? null : validate.instant('endsAt', input.endsAt);
    if (endsAt && endsAt <= (startsAt ?? new Date())) throw badInput('endsAt', 'must be after startsAt and in the future');
    const minAmount = input.minAmount == null ? null : parseMoney('minAmount', input.minAmount);
    return this.dataSource.transaction(async (manager) => {
      const card = await insertStampCard(manager, {
        partnerId,
        name: validate.text('name', input.name, 200),
        stampsRequired,
        minAmountMinor: minAmount?.minor ?? null,
        minAmountCurrency: minAmount?.currency ?? null,
        category,
        sku: input.sku ?? null,
        perQuantity: input.perQuantity ?? false,
        rewardPoints: BigInt(rewardPoints),
        startsAt: startsAt as Date,
        endsAt,
        createdBy: viewer.subject,
      });
      await recordAudit(manager, viewer, card.id);
      return card;
    });
  }

  /** A partner's own cards; the admin's all. */
  async cards(viewer: Viewer): Promise<StampCardRow[]> {
    if (!isAdmin(viewer) && !viewer.partnerId) throw forbidden('Stamp cards are listed for partners and the admin');
    return listStampCards(this.dataSource.manager, isAdmin(viewer) ? null : (viewer.partnerId as string));
  }

  /** A member's cards with progress: the member and the admin. */
  async ofMember(viewer: Viewer, memberId: string): Promise<(StampCardRow & { progress: StampProgress })[]> {
    if (!isAdmin(viewer) && !isSelf(viewer, memberId)) throw forbidden("Only the member and the admin see a member's stamp cards");
    return memberStampCards(this.dataSource.manager, memberId);
  }
}
