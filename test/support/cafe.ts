import { randomUUID } from 'node:crypto';
import { type TestHub } from './hub';

/**
 * A café partner running every earn rule the earn tests price (issue 17): a store, a double-points campaign
 * running now, a bonus offer members may activate, and a coffee stamp card.
 */
export interface Cafe {
  id: string;
  token: string;
  storeId: string;
  offerId: string;
  cardId: string;
}

export async function openCafe(hub: TestHub, rules: { offerUsesPerMember: number; stampsRequired: number }): Promise<Cafe> {
  const cafe = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
  const { createStore } = await hub.must<{ createStore: { store: { id: string } } }>(
    'mutation { createStore(input: { code: "C1", name: "Café", country: "NO" }) { store { id } } }',
    {},
    cafe.token,
  );
  const start = new Date(Date.now() - 60_000).toISOString();
  const end = new Date(Date.now() + 3_600_000).toISOString();
  await hub.must('mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }', { i: { name: 'Double', multiplier: '2', startsAt: start, endsAt: end } }, cafe.token);
  const { createOffer } = await hub.must<{ createOffer: { offer: { id: string } } }>(
    'mutation($uses: Int!) { createOffer(input: { title: "Bonus", kind: BONUS_POINTS, points: 5, usesPerMember: $uses }) { offer { id } } }',
    { uses: rules.offerUsesPerMember },
    cafe.token,
  );
  const { createStampCard } = await hub.must<{ createStampCard: { card: { id: string } } }>(
    'mutation($stamps: Int!) { createStampCard(input: { name: "Coffee", stampsRequired: $stamps, category: "coffee", rewardPoints: 50 }) { card { id } } }',
    { stamps: rules.stampsRequired },
    cafe.token,
  );
  return { id: cafe.id, token: cafe.token, storeId: createStore.store.id, offerId: createOffer.offer.id, cardId: createStampCard.card.id };
}

/** The member activates the café's offer. */
export async function activateCafeOffer(hub: TestHub, cafe: Cafe, memberToken: string): Promise<void> {
  await hub.must('mutation($i: ActivateOfferInput!) { activateOffer(input: $i) { activation { id } } }', { i: { offerId: cafe.offerId } }, memberToken);
}

/** An earn of 100 NOK at the café's store with a 3-line basket (one coffee line), as a GraphQL response. */
export function cafeEarn<T>(hub: TestHub, cafe: Cafe, memberId: string, selection: string, key: string = randomUUID()) {
  return hub.query<T>(
    `mutation($input: EarnPointsInput!) { earnPoints(input: $input) { ${selection} } }`,
    {
      input: {
        memberId,
        purchase: { amount: '100.00', currency: 'NOK' },
        reference: `R-${key}`,
        idempotencyKey: key,
        storeId: cafe.storeId,
        lines: [
          { sku: 'LATTE', category: 'coffee', quantity: 1, amount: { amount: '40.00', currency: 'NOK' } },
          { sku: 'BUN', category: 'bakery', quantity: 2, amount: { amount: '30.00', currency: 'NOK' } },
          { sku: 'JUICE', category: 'drinks', quantity: 1, amount: { amount: '30.00', currency: 'NOK' } },
        ],
      },
    },
    cafe.token,
  );
}
