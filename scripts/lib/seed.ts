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
