import { type DevKeys, signDevToken } from './dev-auth';
import { mustQuery } from './graphql-client';

/** The demo coalition: partners selling in four currencies, two charities, ten members with history. */
const PARTNERS = [
  { name: 'Nordic Grocer', currency: 'NOK', earnRate: '1', issuePrice: '0.10', reimbursement: '0.08' },
  { name: 'Svea Fuel', currency: 'SEK', earnRate: '0.5', issuePrice: '0.10', reimbursement: '0.09' },
  { name: 'Dansk Books', currency: 'DKK', earnRate: '2', issuePrice: '0.07', reimbursement: '0.06' },
  { name: 'Euro Air', currency: 'EUR', earnRate: '10', issuePrice: '0.012', reimbursement: '0.01' },
];
const CHARITIES = [
  { name: 'Red Cross Nordic', description: 'Emergency relief across the Nordics.' },
  { name: 'Ocean Cleanup Fund', description: 'Removes plastic from the North Sea.' },
];
const MEMBERS = ['Astrid Lund', 'Bjørn Dahl', 'Camilla Berg', 'David Nilsson', 'Elin Sørensen', 'Frida Holm', 'Gustav Moen', 'Hanna Eriksen', 'Ivar Lind', 'Julie Jensen'];
const slug = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
const PURCHASES = ['249.90', '88.00', '1200.00', '35.50', '460.25'];

export interface SeedResult {
  seeded: boolean;
  partnerId: string;
  memberId: string;
  charityId?: string;
}

/**
 * Seeds through the gateway, so every write passes the same validation, authorization and ledger rules
 * as production traffic. Runs only when the hub has no partner yet; idempotency keys make a rerun after
 * an interrupted seed safe.
 */
export async function seedDemo(gatewayUrl: string, keys: DevKeys): Promise<SeedResult> {
  const admin = await signDevToken(keys, { kind: 'admin' });
  const existing = await mustQuery<{ partners: { nodes: { id: string }[] }; members: { nodes: { id: string }[] } }>(
    gatewayUrl,
    '{ partners(first: 1) { nodes { id } } members(first: 1) { nodes { id } } }',
    {},
    admin,
  );
  if (existing.partners.nodes[0] && existing.members.nodes[0]) {
    return { seeded: false, partnerId: existing.partners.nodes[0].id, memberId: existing.members.nodes[0].id };
  }

  const partnerIds: string[] = [];
  for (const p of PARTNERS) {
    const data = await mustQuery<{ createPartner: { partner: { id: string } } }>(
      gatewayUrl,
      'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }',
      {
        input: {
          name: p.name,
          currency: p.currency,
          earnRate: p.earnRate,
          issuePrice: { amount: p.issuePrice, currency: p.currency },
          reimbursement: { amount: p.reimbursement, currency: p.currency },
          idempotencyKey: `seed-partner-${slug(p.name)}`,
        },
      },
      admin,
    );
    partnerIds.push(data.createPartner.partner.id);
  }
  let charityId: string | undefined;
  for (const c of CHARITIES) {
    const data = await mustQuery<{ createCharity: { charity: { id: string } } }>(
      gatewayUrl,
      'mutation($input: CreateCharityInput!) { createCharity(input: $input) { charity { id } } }',
      { input: { ...c, idempotencyKey: `seed-charity-${slug(c.name)}` } },
      admin,
    );
    charityId ??= data.createCharity.charity.id;
  }

  // Euro Air's joining offer: members it enrolls get 300 welcome points instead of the coalition's 100.
  await mustQuery(
    gatewayUrl,
    'mutation($input: SetWelcomeBonusInput!) { setWelcomeBonus(input: $input) { rule { id } } }',
    { input: { partnerId: partnerIds[3], points: 300 } },
    admin,
  );
  const partnerTokens = await Promise.all(partnerIds.map((id) => signDevToken(keys, { kind: 'partner', id })));
  const memberIds: string[] = [];
  for (const [i, name] of MEMBERS.entries()) {
    const enrolling = i % partnerIds.length;
    const email = `${name.toLowerCase().replace(/ø/g, 'o').replace(/\s+/g, '.')}@example.com`;
    const data = await mustQuery<{ enrollMember: { member: { id: string } } }>(
      gatewayUrl,
      'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }',
      { input: { email, displayName: name, birthDate: `19${70 + i * 2}-0${(i % 9) + 1}-1${i % 9}`, idempotencyKey: `seed-member-${i}` } },
      partnerTokens[enrolling],
    );
    memberIds.push(data.enrollMember.member.id);
    for (let k = 0; k < 2 + (i % 3); k++) {
      const p = (i + k) % partnerIds.length;
      await mustQuery(
        gatewayUrl,
        'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
        {
          input: {
            memberId: data.enrollMember.member.id,
            purchase: { amount: PURCHASES[(i + k) % PURCHASES.length], currency: PARTNERS[p].currency },
            reference: `DEMO-${i}-${k}`,
            idempotencyKey: `seed-earn-${i}-${k}`,
          },
        },
        partnerTokens[p],
      );
    }
  }
  await seedMemberLifecycle(gatewayUrl, admin, memberIds, charityId!);
  await seedDuplicateMerge(gatewayUrl, admin, partnerTokens[0], memberIds[7]);
  await seedSignedUpMember(gatewayUrl, keys, partnerTokens[0]);
  await seedErasedMember(gatewayUrl, admin, partnerTokens[0]);
  await seedCafeRules(gatewayUrl, keys, admin, memberIds[0]);
  await seedGoodwill(gatewayUrl, admin, memberIds[1]);
  await seedReferralAndBirthday(gatewayUrl, keys, partnerTokens[0], memberIds[0]);
  await seedVipMembership(gatewayUrl, admin, partnerTokens[0], memberIds[2]);
  await seedGame(gatewayUrl, keys, partnerTokens[0], memberIds[0]);
  await seedHousehold(gatewayUrl, keys, admin, memberIds[2], memberIds[3]);
  await seedTiers(gatewayUrl, admin, partnerTokens[3], memberIds[4], memberIds[5]);
  await seedAmbassador(gatewayUrl, admin, partnerTokens[0], memberIds[6]);
  await seedGoldInOslo(gatewayUrl, partnerTokens[0]);
  return { seeded: true, partnerId: partnerIds[0], memberId: memberIds[0], charityId };
}

/**
 * Points without a purchase (issue 17): customer service grants the second member 250 goodwill points from the
 * coalition's marketing budget (a GRANT with a GOODWILL award, in the coalition statement's coalitionIssuance).
 * Every demo member also gets the welcome bonus (WELCOME_BONUS_POINTS, 100 under npm start) from the ledger
 * sweeper within seconds of their points account opening: a BONUS with a WELCOME award.
 */
async function seedGoodwill(gatewayUrl: string, admin: string, memberId: string): Promise<void> {
  await mustQuery(
    gatewayUrl,
    'mutation($input: GrantPointsInput!) { grantPoints(input: $input) { transaction { id } } }',
    { input: { memberId, points: 250, reason: 'Sorry for the delayed home delivery', reference: 'SUPPORT-1042', idempotencyKey: 'seed-goodwill-1' } },
    admin,
  );
}

/**
 * Referral and birthday bonuses (issue 17; npm start sets REFERRAL_FRIEND_POINTS 250, REFERRAL_REFERRER_POINTS
 * 500, BIRTHDAY_BONUS_POINTS 200): Emil joins at Nordic Grocer with Astrid's referral code and buys
 * groceries, so within seconds both have their referral bonus; Sofie's birthday is this month, so the
 * sweeper gives her the birthday bonus within a minute of her joining. All from the marketing budget.
 */
async function seedReferralAndBirthday(gatewayUrl: string, keys: DevKeys, grocerToken: string, astridId: string): Promise<void> {
  const astrid = await signDevToken(keys, { kind: 'member', id: astridId });
  const code = (await mustQuery<{ me: { referralCode: string } }>(gatewayUrl, '{ me { referralCode } }', {}, astrid)).me.referralCode;
  const enroll = async (input: Record<string, string>, key: string) =>
    (
      await mustQuery<{ enrollMember: { member: { id: string } } }>(
        gatewayUrl,
        'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }',
        { input: { ...input, idempotencyKey: key } },
        grocerToken,
      )
    ).enrollMember.member.id;
  const emil = await enroll({ email: 'emil.venn@example.com', displayName: 'Emil Venn', referralCode: code }, 'seed-member-referred');
  await mustQuery(
    gatewayUrl,
    'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
    { input: { memberId: emil, purchase: { amount: '420.00', currency: 'NOK' }, reference: 'DEMO-EMIL-1', idempotencyKey: 'seed-earn-emil-1' } },
    grocerToken,
  );
  const month = String(new Date().getUTCMonth() + 1).padStart(2, '0');
  await enroll({ email: 'sofie.bursdag@example.com', displayName: 'Sofie Bursdag', birthDate: `1994-${month}-15` }, 'seed-member-birthday');
}

/**
 * Paid membership (issue 18): the operator defines "VIP" (990 NOK a year: base points x1.5, at least Silver,
 * 100 points a month, offers 7 days early), Nordic Grocer sells it to Camilla at its till, and her next
 * purchase there (500 NOK) earns 500 base points plus a MEMBERSHIP award of 375 (250 for the multiplier, 125
 * for the Silver floor) from the coalition's marketing budget. The sweeper pays her first monthly 100 within
 * seconds; the 990 NOK are in Nordic Grocer's statement as membershipFees.
 */
async function seedVipMembership(gatewayUrl: string, admin: string, grocerToken: string, camillaId: string): Promise<void> {
  const plan = await mustQuery<{ createMembershipPlan: { plan: { id: string } } }>(
    gatewayUrl,
    'mutation($input: CreateMembershipPlanInput!) { createMembershipPlan(input: $input) { plan { id } } }',
    {
      input: {
        name: 'VIP',
        price: { amount: '990.00', currency: 'NOK' },
        periodMonths: 12,
        earnMultiplier: '1.5',
        tierFloor: 'Silver',
        monthlyBonusPoints: 100,
        earlyAccessDays: 7,
        idempotencyKey: 'seed-plan-vip',
      },
    },
    admin,
  );
  await mustQuery(
    gatewayUrl,
    'mutation($input: PurchaseMembershipInput!) { purchaseMembership(input: $input) { purchase { id } } }',
    { input: { memberId: camillaId, planId: plan.createMembershipPlan.plan.id, paymentReference: 'TERMINAL-8841', idempotencyKey: 'seed-vip-camilla' } },
    grocerToken,
  );
  await mustQuery(
    gatewayUrl,
    'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
    { input: { memberId: camillaId, purchase: { amount: '500.00', currency: 'NOK' }, reference: 'DEMO-VIP-1', idempotencyKey: 'seed-earn-vip-1' } },
    grocerToken,
  );
}

/**
 * A provably fair game (issue 18, README "Games"): Nordic Grocer sponsors "Spin the wheel" (a 30 % chance to
 * win 25, 100 or 500 points, weighted 6:3:1, a budget of 50,000 points, 20 plays per member a day). Astrid
 * played three times: for each, the hub committed a server seed's SHA-256 (nextGamePlay) before she chose her
 * client seed, and revealed the seed with the play (myGamePlays; verify by hand with the README's recipe).
 */
async function seedGame(gatewayUrl: string, keys: DevKeys, grocerToken: string, astridId: string): Promise<void> {
  const created = await mustQuery<{ createGame: { game: { id: string } } }>(
    gatewayUrl,
    'mutation($input: CreateGameInput!) { createGame(input: $input) { game { id } } }',
    {
      input: {
        name: 'Spin the wheel',
        winChance: '0.3',
        prizes: [
          { points: 25, weight: 6 },
          { points: 100, weight: 3 },
          { points: 500, weight: 1 },
        ],
        budgetPoints: 50_000,
        playsPerMemberPerDay: 20,
        idempotencyKey: 'seed-game-wheel',
      },
    },
    grocerToken,
  );
  const gameId = created.createGame.game.id;
  const astrid = await signDevToken(keys, { kind: 'member', id: astridId });
  for (let i = 1; i <= 3; i++) {
    await mustQuery(gatewayUrl, 'query($gameId: ID!) { nextGamePlay(gameId: $gameId) { serverSeedHash nonce } }', { gameId }, astrid);
    await mustQuery(
      gatewayUrl,
      'mutation($input: PlayGameInput!) { playGame(input: $input) { play { id won points } } }',
      { input: { gameId, clientSeed: `astrid-lucky-${i}`, idempotencyKey: `seed-game-play-${i}` } },
      astrid,
    );
  }
}

/**
 * A household (issue 18): Camilla invites David by his card number, David accepts, and Camilla gives him 120
 * points (two TRANSFER transactions; the points keep the partners that issued them and their expiry).
 */
async function seedHousehold(gatewayUrl: string, keys: DevKeys, admin: string, camillaId: string, davidId: string): Promise<void> {
  const [camilla, david] = await Promise.all([signDevToken(keys, { kind: 'member', id: camillaId }), signDevToken(keys, { kind: 'member', id: davidId })]);
  const card = await mustQuery<{ member: { cardNumber: string } }>(gatewayUrl, 'query($id: ID!) { member(id: $id) { cardNumber } }', { id: davidId }, admin);
  const invited = await mustQuery<{ inviteToHousehold: { invitation: { id: string } } }>(
    gatewayUrl,
    'mutation($input: InviteToHouseholdInput!) { inviteToHousehold(input: $input) { invitation { id } } }',
    { input: { cardNumber: card.member.cardNumber, idempotencyKey: 'seed-household-invite' } },
    camilla,
  );
  await mustQuery(
    gatewayUrl,
    'mutation($input: AnswerHouseholdInvitationInput!) { acceptHouseholdInvitation(input: $input) { household { id } } }',
    { input: { invitationId: invited.inviteToHousehold.invitation.id } },
    david,
  );
  await mustQuery(
    gatewayUrl,
    'mutation($input: TransferPointsInput!) { transferPoints(input: $input) { transfer { id } } }',
    { input: { toMemberId: davidId, points: 120, idempotencyKey: 'seed-household-transfer' } },
    camilla,
  );
}

/**
 * Tier rules (issue 18): Elin reaches Silver with one flight at Euro Air (5,000 qualifying points; Silver is
 * then kept until the end of next year), and the operator matches Frida's Gold status from another programme
 * until the end of next month (an override, with its reason).
 */
async function seedTiers(gatewayUrl: string, admin: string, airToken: string, elinId: string, fridaId: string): Promise<void> {
  await mustQuery(
    gatewayUrl,
    'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
    { input: { memberId: elinId, purchase: { amount: '500.00', currency: 'EUR' }, reference: 'DEMO-FLIGHT-OSL-CDG', idempotencyKey: 'seed-tier-flight' } },
    airToken,
  );
  const now = new Date();
  await mustQuery(
    gatewayUrl,
    'mutation($input: OverrideMemberTierInput!) { overrideMemberTier(input: $input) { override { id } } }',
    {
      input: {
        memberId: fridaId,
        tier: 'Gold',
        endsAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1)).toISOString(),
        reason: 'Status match from another programme',
        idempotencyKey: 'seed-tier-override',
      },
    },
    admin,
  );
}

/**
 * An ambassador (issue 18): Gustav brings three friends who shop at the grocer. Under npm start
 * (AMBASSADOR_MIN_FRIENDS 3) the ledger sweeper settles their referrals within seconds of their earns, finds
 * three active friends and makes Gustav an ambassador; those referrals pay him the ambassador's reward.
 */
async function seedAmbassador(gatewayUrl: string, admin: string, grocerToken: string, gustavId: string): Promise<void> {
  const code = await mustQuery<{ member: { referralCode: string } }>(gatewayUrl, 'query($id: ID!) { member(id: $id) { referralCode } }', { id: gustavId }, admin);
  for (const [i, name] of ['Kari Haugen', 'Lars Vik', 'Maja Strand'].entries()) {
    const friend = await mustQuery<{ enrollMember: { member: { id: string } } }>(
      gatewayUrl,
      'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }',
      { input: { email: `${slug(name)}@example.com`, displayName: name, referralCode: code.member.referralCode, idempotencyKey: `seed-ambassador-friend-${i}` } },
      grocerToken,
    );
    await mustQuery(
      gatewayUrl,
      'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
      { input: { memberId: friend.enrollMember.member.id, purchase: { amount: '120.00', currency: 'NOK' }, reference: `DEMO-FRIEND-${i}`, idempotencyKey: `seed-ambassador-earn-${i}` } },
      grocerToken,
    );
  }
}

/**
 * Members' own changes: Bjørn lost his card and has a new one (his old number answers CARD_BLOCKED); Julie
 * closed her membership and gave her remaining points to the first charity (in its donation report).
 */
async function seedMemberLifecycle(gatewayUrl: string, admin: string, memberIds: string[], charityId: string): Promise<void> {
  await mustQuery(
    gatewayUrl,
    'mutation($input: ReplaceCardInput!) { replaceCard(input: $input) { member { id } } }',
    { input: { memberId: memberIds[1], reason: 'LOST', idempotencyKey: 'seed-replace-card-1' } },
    admin,
  );
  await mustQuery(
    gatewayUrl,
    'mutation($input: CloseMembershipInput!) { closeMembership(input: $input) { member { id } } }',
    { input: { memberId: memberIds[9], remainingPoints: 'DONATE', charityId, idempotencyKey: 'seed-close-9' } },
    admin,
  );
}

/** The subject of the demo person who joined through the identity provider (`npm run token -- --member-subject demo-person-kari`). */
export const DEMO_SIGNED_UP_SUBJECT = 'demo-person-kari';

/**
 * Kari joined on her own (signUp with a sign-up token, no till): her identity is linked to her member, so
 * her member token carries no member_id. She shares her data with partners, set her phone and language,
 * later said no to marketing (her consent history has both), and has earned once at Nordic Grocer.
 */
async function seedSignedUpMember(gatewayUrl: string, keys: DevKeys, grocerToken: string): Promise<void> {
  const signup = await signDevToken(keys, { kind: 'signup', subject: DEMO_SIGNED_UP_SUBJECT });
  const joined = await mustQuery<{ signUp: { member: { id: string } } }>(
    gatewayUrl,
    'mutation($input: SignUpInput!) { signUp(input: $input) { member { id } } }',
    {
      input: {
        email: 'kari.nordmann@example.com',
        displayName: 'Kari Nordmann',
        birthDate: '1992-03-08',
        preferredLanguage: 'nb',
        consents: { termsVersion: '2026-01', marketing: true, partnerDataSharing: true },
        idempotencyKey: 'seed-signup-kari',
      },
    },
    signup,
  );
  const kari = await signDevToken(keys, { kind: 'member', subject: DEMO_SIGNED_UP_SUBJECT });
  await mustQuery(gatewayUrl, 'mutation { updateProfile(input: { phone: "+4791234567" }) { member { id } } }', {}, kari);
  await mustQuery(gatewayUrl, 'mutation { setConsents(input: { marketing: false }) { member { id } } }', {}, kari);
  await mustQuery(
    gatewayUrl,
    'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
    { input: { memberId: joined.signUp.member.id, purchase: { amount: '149.00', currency: 'NOK' }, reference: 'DEMO-KARI-1', idempotencyKey: 'seed-earn-kari-1' } },
    grocerToken,
  );
}

/**
 * A member who asked to be forgotten: enrolled and earned at the grocer, then erased by the admin. The row
 * stays (amounts are bookkeeping) as "Erased member …" with no email, birth date or card anyone holds; the
 * points went to breakage.
 */
async function seedErasedMember(gatewayUrl: string, admin: string, grocerToken: string): Promise<void> {
  const enrolled = await mustQuery<{ enrollMember: { member: { id: string } } }>(
    gatewayUrl,
    'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }',
    { input: { email: 'ola.glemt@example.com', displayName: 'Ola Glemt', birthDate: '1980-05-17', idempotencyKey: 'seed-member-erased' } },
    grocerToken,
  );
  const memberId = enrolled.enrollMember.member.id;
  await mustQuery(
    gatewayUrl,
    'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
    { input: { memberId, purchase: { amount: '99.00', currency: 'NOK' }, reference: 'DEMO-ERASED-1', idempotencyKey: 'seed-earn-erased-1' } },
    grocerToken,
  );
  await mustQuery(gatewayUrl, 'mutation($input: EraseMemberInput!) { eraseMember(input: $input) { erasure { id } } }', { input: { memberId, idempotencyKey: 'seed-erase-1' } }, admin);
}

/**
 * The earn's rules at a café (issue 17): Kaffe Hjørnet runs a 5-coffee stamp card (one stamp per coffee,
 * 50 points when full) and a double-points offer at its Torget store; Nordic Grocer gives 15 % extra on
 * produce. Astrid activated the offer and bought five coffees in two visits: her card filled, was
 * rewarded once and started again, and the first visit earned double (see her history's awards).
 */
async function seedCafeRules(gatewayUrl: string, keys: DevKeys, admin: string, astridId: string): Promise<void> {
  const cafe = await mustQuery<{ createPartner: { partner: { id: string } } }>(
    gatewayUrl,
    'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }',
    {
      input: {
        name: 'Kaffe Hjørnet',
        currency: 'NOK',
        earnRate: '1',
        issuePrice: { amount: '0.10', currency: 'NOK' },
        reimbursement: { amount: '0.08', currency: 'NOK' },
        idempotencyKey: 'seed-partner-kaffe-hjornet',
      },
    },
    admin,
  );
  const cafeToken = await signDevToken(keys, { kind: 'partner', id: cafe.createPartner.partner.id });
  const store = await mustQuery<{ createStore: { store: { id: string } } }>(
    gatewayUrl,
    'mutation($input: CreateStoreInput!) { createStore(input: $input) { store { id } } }',
    { input: { code: 'TORGET', name: 'Kaffe Hjørnet Torget', city: 'Oslo', country: 'NO', idempotencyKey: 'seed-store-torget' } },
    cafeToken,
  );
  await mustQuery(
    gatewayUrl,
    'mutation($input: CreateStampCardInput!) { createStampCard(input: $input) { card { id } } }',
    { input: { name: 'Fifth coffee on us', stampsRequired: 5, category: 'coffee', perQuantity: true, rewardPoints: 50 } },
    cafeToken,
  );
  const offer = await mustQuery<{ createOffer: { offer: { id: string } } }>(
    gatewayUrl,
    'mutation($input: CreateOfferInput!) { createOffer(input: $input) { offer { id } } }',
    { input: { title: 'Double points on your next visit', kind: 'MULTIPLIER', multiplier: '2', idempotencyKey: 'seed-offer-double' } },
    cafeToken,
  );
  const grocer = await mustQuery<{ partners: { nodes: { id: string }[] } }>(gatewayUrl, '{ partners(first: 1) { nodes { id } } }', {}, admin);
  await mustQuery(
    gatewayUrl,
    'mutation($input: SetCategoryRateInput!) { setCategoryRate(input: $input) { rate { id } } }',
    { input: { partnerId: grocer.partners.nodes[0].id, category: 'produce', extraPercent: '15' } },
    admin,
  );
  const astrid = await signDevToken(keys, { kind: 'member', id: astridId });
  await mustQuery(gatewayUrl, 'mutation($input: ActivateOfferInput!) { activateOffer(input: $input) { activation { id } } }', { input: { offerId: offer.createOffer.offer.id } }, astrid);
  for (const [visit, coffees] of [3, 2].entries()) {
    await mustQuery(
      gatewayUrl,
      'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
      {
        input: {
          memberId: astridId,
          purchase: { amount: `${coffees * 45 + 38}.00`, currency: 'NOK' },
          reference: `CAFE-${visit}`,
          idempotencyKey: `seed-cafe-earn-${visit}`,
          storeId: store.createStore.store.id,
          lines: [
            { sku: 'CAPPUCCINO', category: 'coffee', quantity: coffees, amount: { amount: `${coffees * 45}.00`, currency: 'NOK' } },
            { sku: 'CINNAMON-BUN', category: 'bakery', quantity: 1, amount: { amount: '38.00', currency: 'NOK' } },
          ],
        },
      },
      cafeToken,
    );
  }
}

/**
 * Segments and personal offers (issue 18): Nordic Grocer's Oslo store enrolls Sigrid (who consents to
 * marketing) and Tor (who does not); each buys enough for Gold (20,000 qualifying points by the default
 * tier table). The grocer's segment "Gold members in Oslo" holds both (size 2, reachableSize 1), and its
 * personal offer, triple points, is Sigrid's to activate (README "Segments and personal offers").
 */
async function seedGoldInOslo(gatewayUrl: string, grocerToken: string): Promise<void> {
  const store = await mustQuery<{ createStore: { store: { id: string } } }>(
    gatewayUrl,
    'mutation($input: CreateStoreInput!) { createStore(input: $input) { store { id } } }',
    { input: { code: 'OSL-GRUNERLOKKA', name: 'Nordic Grocer Grünerløkka', city: 'Oslo', country: 'NO', idempotencyKey: 'seed-store-grunerlokka' } },
    grocerToken,
  );
  for (const [i, [name, marketing]] of ([['Sigrid Solberg', true], ['Tor Haugen', false]] as const).entries()) {
    const enrolled = await mustQuery<{ enrollMember: { member: { id: string } } }>(
      gatewayUrl,
      'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }',
      {
        input: {
          email: `${name.toLowerCase().replace(/\s+/g, '.')}@example.com`,
          displayName: name,
          storeId: store.createStore.store.id,
          consents: { termsVersion: '2026-01', marketing, partnerDataSharing: false },
          idempotencyKey: `seed-gold-oslo-member-${i}`,
        },
      },
      grocerToken,
    );
    await mustQuery(
      gatewayUrl,
      'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
      {
        input: {
          memberId: enrolled.enrollMember.member.id,
          purchase: { amount: '21000.00', currency: 'NOK' },
          reference: `CATERING-${i}`,
          idempotencyKey: `seed-gold-oslo-earn-${i}`,
          storeId: store.createStore.store.id,
        },
      },
      grocerToken,
    );
  }
  const segment = await mustQuery<{ createSegment: { segment: { id: string } } }>(
    gatewayUrl,
    'mutation($input: CreateSegmentInput!) { createSegment(input: $input) { segment { id } } }',
    { input: { name: 'Gold members in Oslo', rule: { tiers: ['Gold'], enrolledCities: ['Oslo'] }, idempotencyKey: 'seed-segment-gold-oslo' } },
    grocerToken,
  );
  await mustQuery(
    gatewayUrl,
    'mutation($input: CreateOfferInput!) { createOffer(input: $input) { offer { id } } }',
    {
      input: {
        title: 'Gold in Oslo: triple points on your next shop',
        kind: 'MULTIPLIER',
        multiplier: '3',
        segmentId: segment.createSegment.segment.id,
        idempotencyKey: 'seed-offer-gold-oslo',
      },
    },
    grocerToken,
  );
}

/** Hanna enrolled twice (a second email at the grocer's till); the operator merged the duplicate into her membership. */
async function seedDuplicateMerge(gatewayUrl: string, admin: string, grocerToken: string, hannaId: string): Promise<void> {
  const duplicate = await mustQuery<{ enrollMember: { member: { id: string } } }>(
    gatewayUrl,
    'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }',
    { input: { email: 'hanna.e.duplicate@example.com', displayName: 'Hanna Eriksen', idempotencyKey: 'seed-member-duplicate' } },
    grocerToken,
  );
  const sourceMemberId = duplicate.enrollMember.member.id;
  await mustQuery(
    gatewayUrl,
    'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
    { input: { memberId: sourceMemberId, purchase: { amount: '150.00', currency: 'NOK' }, reference: 'DEMO-DUP', idempotencyKey: 'seed-earn-duplicate' } },
    grocerToken,
  );
  await mustQuery(
    gatewayUrl,
    'mutation($input: MergeMembersInput!) { mergeMembers(input: $input) { target { id } } }',
    { input: { sourceMemberId, targetMemberId: hannaId, idempotencyKey: 'seed-merge-duplicate' } },
    admin,
  );
}

export interface SeededIdentity {
  kind: 'admin' | 'partner' | 'charity' | 'member';
  id?: string;
  subject?: string;
  name: string;
}

/**
 * The demo coalition's people, for the portal's demo sign-in: the operator, each seeded partner and charity,
 * the seeded members still active, and Kari (known by her sign-in subject). Only these get demo tokens.
 */
export async function demoIdentities(gatewayUrl: string, admin: string): Promise<SeededIdentity[]> {
  const data = await mustQuery<{
    partners: { nodes: { id: string; name: string }[] };
    charities: { nodes: { id: string; name: string }[] };
    members: { nodes: { id: string; displayName: string; email: string | null; status: string }[] };
  }>(
    gatewayUrl,
    '{ partners(first: 100) { nodes { id name } } charities(first: 100) { nodes { id name } } members(first: 100) { nodes { id displayName email status } } }',
    {},
    admin,
  );
  const partnerNames = new Set([...PARTNERS.map((p) => p.name), 'Kaffe Hjørnet']);
  const charityNames = new Set(CHARITIES.map((c) => c.name));
  const memberNames = new Set(MEMBERS);
  const identities: SeededIdentity[] = [{ kind: 'admin', name: 'Programme operator' }];
  for (const p of data.partners.nodes) if (partnerNames.has(p.name)) identities.push({ kind: 'partner', id: p.id, name: p.name });
  for (const c of data.charities.nodes) if (charityNames.has(c.name)) identities.push({ kind: 'charity', id: c.id, name: c.name });
  const seen = new Set<string>();
  for (const m of data.members.nodes) {
    // Hanna's merged duplicate is closed, as is Julie: only active seeded members, each once.
    if (m.status !== 'ACTIVE' || !memberNames.has(m.displayName) || seen.has(m.displayName) || !m.email?.endsWith('@example.com')) continue;
    seen.add(m.displayName);
    identities.push({ kind: 'member', id: m.id, name: m.displayName });
  }
  if (data.members.nodes.some((m) => m.email === 'kari.nordmann@example.com' && m.status === 'ACTIVE')) {
    identities.push({ kind: 'member', subject: DEMO_SIGNED_UP_SUBJECT, name: 'Kari Nordmann' });
  }
  return identities;
}
