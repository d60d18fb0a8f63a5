import DataLoader from 'dataloader';
import { z } from 'zod';
import { buildFederatedSchema, createAuditLogResolver, createSubgraphClient, type SubgraphDefinition } from '../../../lib/src';
import { pointsMigrations } from '../../../migrations/points';
import { ChannelListener } from '../../../lib/src/persistence/channel-listener';
import { type PointsContext } from './context';
import { REDEMPTION_CODE_FAILURE_WINDOW_SECONDS, REDEMPTION_CODE_MAX_FAILURES, REDEMPTION_CODE_PARTNER_MAX_FAILURES } from './domain/redemption-code.rules';
import { pointsReferences } from './graphql/points.reference';
import { PartnerTransactionsResolver, PointsAccountResolver, PointsMemberResolver, PointsTransactionResolver } from './graphql/points.resolver';
import { PointsMemberType } from './graphql/points.type';
import { EconomicsResolver, TransactionEconomicsResolver } from './graphql/economics.resolver';
import { KpisResolver, kpisReferences } from './graphql/kpis.resolver';
import { FundingResolver } from './graphql/funding.resolver';
import { GrantResolver } from './graphql/grant.resolver';
import { CashoutResolver, PayoutBatchResolver } from './graphql/cashout.resolver';
import { EarnAwardsResolver, TransactionAwardsResolver, TransactionOfferResolver } from './graphql/award.resolver';
import { StatementStoresResolver, TransactionBasketResolver } from './graphql/basket.resolver';
import { OfferActivationResolver } from './graphql/offer-activation.resolver';
import { OfferActivationService } from './services/offer-activation.service';
import { StampCardResolver } from './graphql/stamp-card.resolver';
import { StampCardService } from './services/stamp-card.service';
import { ProgrammeResolver } from './graphql/programme.resolver';
import { RedemptionResolver } from './graphql/redemption.resolver';
import { ReversalResolver } from './graphql/reversal.resolver';
import { AccountEntity, HoldEntity, PostingEntity, TransactionEntity } from './persistence/ledger.entity';
import { DonationPostingResolver } from './graphql/donation-posting.resolver';
import { MemberClosingResolver } from './graphql/member-closing.resolver';
import { MemberMergeResolver } from './graphql/member-merge.resolver';
import { createDonationsClient } from './clients/donations.client';
import { DirectoryClient } from './clients/directory.client';
import { MembersClient } from './clients/members.client';
import { createMemberLinkLookup } from '../../../lib/src/clients/member-link.client';
import { MemberLinkCache, resolveLinkedMember } from '../../../lib/src/member-link';
import { PARTNER_CHANGES_CHANNEL, PartnersClient } from './clients/partners.client';
import { DonationPostingService } from './services/donation-posting.service';
import { MemberClosingService } from './services/member-closing.service';
import { MemberMergeService } from './services/member-merge.service';
import { EconomicsService } from './services/economics.service';
import { KpisService } from './services/kpis.service';
import { FundingService } from './services/funding.service';
import { GrantService } from './services/grant.service';
import { CashoutService } from './services/cashout.service';
import { BonusService } from './services/bonus.service';
import { startLedgerSweeper } from './jobs/ledger-sweeper.job';
import { startPledgeRelay } from './jobs/pledge-relay.job';
import { startWebhookDelivery } from './jobs/webhook-delivery.job';
import { WebhookSender } from './clients/webhook.client';
import { MemberConsentsClient } from './clients/member-consents.client';
import { MemberNoticesResolver, WebhookResolver } from './graphql/webhook.resolver';
import { WebhookDeliveryService, WebhooksService, type WebhookConfig } from './services/webhooks.service';
import { PledgeRelayService } from './services/pledge-relay.service';
import { IntegrityService } from './services/integrity.service';
import { MaintenanceService } from './services/maintenance.service';
import { PointsService } from './services/points.service';
import { LedgerMetrics } from './services/ledger.metrics';
import { pointsPurgeTargets } from './persistence/purge.repository';
import { ProgrammeService } from './services/programme.service';
import { RedemptionService } from './services/redemption.service';
import { ReversalService } from './services/reversal.service';
import { createMemberErasureResolver } from '../../../lib/src/graphql/member-erasure.resolver';
import { createMemberExportResolver } from '../../../lib/src/graphql/member-export.resolver';
import { MemberDataErasure, MemberDataExport } from '../../../lib/src/member-data';
import { POINTS_MEMBER_DATA_SECTIONS, POINTS_MEMBER_ERASURE_STATEMENTS } from './persistence/member-data.repository';
import { isTimeZone } from './domain/bonus.rules';
import { BonusResolver, RegistrationResolver } from './graphql/bonus.resolver';
import { RegistrationService } from './services/registration.service';
import { MembershipPlanFieldResolver, MembershipPurchasePlanResolver, MembershipResolver } from './graphql/membership.resolver';
import { MembershipService } from './services/membership.service';
import { OfferPreviewClient } from './clients/offer-preview.client';
import { GameResolver } from './graphql/game.resolver';
import { GameService } from './services/game.service';
import { HouseholdMemberResolver, HouseholdResolver } from './graphql/household.resolver';
import { AmbassadorStatusResolver, AmbassadorsResolver } from './graphql/ambassador.resolver';
import { HouseholdService } from './services/household.service';
import { MemberResolveClient } from './clients/member-resolve.client';
import { SegmentResolver } from './graphql/segment.resolver';
import { SegmentService } from './services/segment.service';
import { LiveEventsResolver } from './graphql/live-event.resolver';
import { LiveEventsService } from './services/live-events.service';

const pointsEnv = {
  MEMBERS_URL: z.url().default('http://127.0.0.1:4001/graphql'),
  PARTNERS_URL: z.url().default('http://127.0.0.1:4003/graphql'),
  POINTS_EXPIRY_MONTHS: z.coerce.number().int().min(1).max(240).default(24),
  HOLD_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  REDEMPTION_CODE_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(600),
  /** Wrong redemption codes: per member (its live codes are voided) and per partner (refused), within the window. */
  REDEMPTION_CODE_MAX_FAILURES: z.coerce.number().int().min(1).max(1_000).default(REDEMPTION_CODE_MAX_FAILURES),
  REDEMPTION_CODE_PARTNER_MAX_FAILURES: z.coerce.number().int().min(1).max(100_000).default(REDEMPTION_CODE_PARTNER_MAX_FAILURES),
  REDEMPTION_CODE_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(REDEMPTION_CODE_FAILURE_WINDOW_SECONDS),
  LEDGER_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).default(5_000),
  DONATIONS_URL: z.url().default('http://127.0.0.1:4004/graphql'),
  PLEDGE_RELAY_INTERVAL_MS: z.coerce.number().int().min(0).default(1_000),
  /** Partner webhooks (README "Webhooks for partners"): delivery tick, retries, disabling, timeouts. */
  WEBHOOK_DELIVERY_INTERVAL_MS: z.coerce.number().int().min(0).default(1_000),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).default(5_000),
  WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(1).default(6 * 3_600_000),
  WEBHOOK_RETRY_WINDOW_SECONDS: z.coerce.number().int().min(0).default(86_400),
  WEBHOOK_DISABLE_AFTER_FAILURES: z.coerce.number().int().min(1).default(20),
  WEBHOOK_DISABLE_AFTER_SECONDS: z.coerce.number().int().min(0).default(5 * 86_400),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(32),
  /** points.expiring notices: lots expiring within this many days (0: no notices). */
  POINTS_EXPIRING_NOTICE_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  /** The coalition's money: its currency, what a marketing-funded point costs it, cashback (see README "Grants, bonuses and cashback"). */
  COALITION_CURRENCY: z.string().regex(/^[A-Z]{3}$/).default('EUR'),
  MARKETING_POINT_PRICE: z.string().regex(/^\d{1,8}(\.\d{1,6})?$/).default('0.01'),
  CASHOUT_POINT_VALUE: z.string().regex(/^\d{1,8}(\.\d{1,6})?$/).default('0.005'),
  CASHOUT_MIN_POINTS: z.coerce.number().int().min(1).default(1_000),
  /** Welcome bonus from the marketing budget for each member whose points account opens (0: none), within this many days of opening. */
  WELCOME_BONUS_POINTS: z.coerce.number().int().min(0).max(1_000_000).default(0),
  WELCOME_BONUS_WINDOW_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
  /** Referral bonus (marketing budget) once a referred member's first earn stands: to the friend, and to the referrer up to a yearly cap. */
  REFERRAL_FRIEND_POINTS: z.coerce.number().int().min(0).max(1_000_000).default(0),
  REFERRAL_REFERRER_POINTS: z.coerce.number().int().min(0).max(1_000_000).default(0),
  REFERRAL_YEARLY_CAP: z.coerce.number().int().min(0).max(100_000).default(10),
  /** Ambassadors: referrers with this many active friends (an earn in 12 months; 0: none), paid AMBASSADOR_REFERRER_POINTS per referral instead (unset: REFERRAL_REFERRER_POINTS). */
  AMBASSADOR_MIN_FRIENDS: z.coerce.number().int().min(0).max(10_000).default(5),
  AMBASSADOR_REFERRER_POINTS: z.coerce.number().int().min(0).max(1_000_000).optional(),
  /** Birthday bonus (marketing budget; 0: none), once a year in the birthday month or on the day, on the coalition's calendar. */
  BIRTHDAY_BONUS_POINTS: z.coerce.number().int().min(0).max(1_000_000).default(0),
  BIRTHDAY_BONUS_ON: z.enum(['MONTH', 'DAY']).default('MONTH'),
  COALITION_TIME_ZONE: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Oslo').default('UTC'),
  COALITION_DEBTOR_NAME: z.string().min(1).max(70).default('Coalition Hub'),
  COALITION_DEBTOR_IBAN: z.string().default('DE89370400440532013000'),
  COALITION_DEBTOR_BIC: z.string().optional(),
  /** How long an earn trusts a store it checked with the partners subgraph (seconds; a closed store is accepted at most this long). */
  EARN_STORE_CACHE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(60),
  /**
   * How long the calling partner's facts (status, currency, terms, category rates) are kept per process
   * (seconds; 0: asked on every earn). Kept only while the partners subgraph's change notices are heard
   * (PostgreSQL channel hub_partner_changes): a suspension or a new version drops them at once.
   */
  PARTNER_CACHE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(60),
  /**
   * Group commit of earns (README "Earn speed"): earns of different members that arrive while earlier ones
   * are being written are written together, in one database transaction of a few set-based statements.
   * EARN_BATCH_SLOTS batches at once per process (0: every earn in a transaction of its own), each of at
   * most EARN_BATCH_MAX earns. An earn that finds the first slot free is written at once, in a batch of its
   * own; a further slot opens only for EARN_BATCH_MIN_PARALLEL waiting earns, so that they gather into large
   * batches while one slot keeps up.
   */
  EARN_BATCH_SLOTS: z.coerce.number().int().min(0).max(16).default(2),
  EARN_BATCH_MAX: z.coerce.number().int().min(2).max(200).default(32),
  EARN_BATCH_MIN_PARALLEL: z.coerce.number().int().min(1).max(200).default(8),
  /** Where the partners subgraph's change notices are heard: its database (default: this subgraph's DATABASE_URL). */
  PARTNER_CHANGES_DATABASE_URL: z.string().min(1).optional(),
  /** Households (README "Households"): members per household, points a member may transfer per calendar year, days to accept an invitation. */
  HOUSEHOLD_MAX_MEMBERS: z.coerce.number().int().min(2).max(50).default(5),
  HOUSEHOLD_TRANSFER_YEARLY_LIMIT: z.coerce.number().int().min(0).max(100_000_000).default(20_000),
  HOUSEHOLD_INVITATION_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  /** The smallest segment size a partner is told (below it, null): no size that singles out a member. */
  SEGMENT_PARTNER_MIN_SIZE: z.coerce.number().int().min(1).max(1_000).default(10),
  /**
   * Live updates (the accountEvents and partnerEvents subscriptions): the database whose `hub_events` channel
   * the outbox trigger announces on, listened to by one connection per process (default: DATABASE_URL; a
   * session, not a transaction-pooled, connection: LISTEN needs one).
   */
  EVENTS_DATABASE_URL: z.string().min(1).optional(),
};

type PointsEnv = z.infer<z.ZodObject<typeof pointsEnv>>;

const PointsAuditLogResolver = createAuditLogResolver('points');
const PointsMemberExportResolver = createMemberExportResolver('points');
const PointsMemberErasureResolver = createMemberErasureResolver('points');

export const pointsSubgraph: SubgraphDefinition<PointsContext, PointsEnv> = {
  name: 'points',
  defaultPort: 4002,
  internalOperations: ['postDonation', 'closeMemberAccount', 'mergeMemberAccounts', 'pointsEraseMember', 'registerMembers'],
  callsInternalOperations: true,
  entities: [AccountEntity, TransactionEntity, PostingEntity, HoldEntity],
  migrations: pointsMigrations,
  env: pointsEnv,
  buildSchema: () =>
    buildFederatedSchema(
      {
        resolvers: [PointsMemberResolver, PointsAccountResolver, PartnerTransactionsResolver, PointsTransactionResolver, RedemptionResolver, ReversalResolver, ProgrammeResolver, DonationPostingResolver, MemberClosingResolver, MemberMergeResolver, PointsAuditLogResolver, PointsMemberExportResolver, PointsMemberErasureResolver, EconomicsResolver, KpisResolver, FundingResolver, GrantResolver, CashoutResolver, PayoutBatchResolver, TransactionEconomicsResolver, TransactionAwardsResolver, EarnAwardsResolver, TransactionBasketResolver, StatementStoresResolver, WebhookResolver, MemberNoticesResolver, OfferActivationResolver, StampCardResolver, RegistrationResolver, BonusResolver, GameResolver, TransactionOfferResolver, HouseholdMemberResolver, HouseholdResolver, AmbassadorStatusResolver, AmbassadorsResolver, SegmentResolver, MembershipResolver, MembershipPlanFieldResolver, MembershipPurchasePlanResolver, LiveEventsResolver],
        orphanedTypes: [PointsMemberType],
      },
      { ...pointsReferences, ...kpisReferences },
    ),
  purgeTargets: (env) => pointsPurgeTargets({ codeFailureWindowSeconds: env.REDEMPTION_CODE_FAILURE_WINDOW_SECONDS }),
  setup({ dataSource, reportSource, env, logger, signer, metrics }) {
    const config = {
      expiryMonths: env.POINTS_EXPIRY_MONTHS,
      holdTtlSeconds: env.HOLD_TTL_SECONDS,
      redemptionCodeTtlSeconds: env.REDEMPTION_CODE_TTL_SECONDS,
      redemptionCodeFailures: {
        memberMaxFailures: env.REDEMPTION_CODE_MAX_FAILURES,
        partnerMaxFailures: env.REDEMPTION_CODE_PARTNER_MAX_FAILURES,
        windowSeconds: env.REDEMPTION_CODE_FAILURE_WINDOW_SECONDS,
      },
      sweepIntervalMs: env.LEDGER_SWEEP_INTERVAL_MS,
      coalition: {
        timeZone: env.COALITION_TIME_ZONE,
        currency: env.COALITION_CURRENCY,
        marketingPointPrice: env.MARKETING_POINT_PRICE,
        cashoutPointValue: env.CASHOUT_POINT_VALUE,
        cashoutMinimumPoints: env.CASHOUT_MIN_POINTS,
        debtor: { name: env.COALITION_DEBTOR_NAME, iban: env.COALITION_DEBTOR_IBAN, bic: env.COALITION_DEBTOR_BIC ?? null },
      },
      bonuses: {
        welcomePoints: env.WELCOME_BONUS_POINTS,
        welcomeWindowDays: env.WELCOME_BONUS_WINDOW_DAYS,
        referral: {
          friendPoints: env.REFERRAL_FRIEND_POINTS,
          referrerPoints: env.REFERRAL_REFERRER_POINTS,
          referrerYearlyCap: env.REFERRAL_YEARLY_CAP,
          ambassadorMinFriends: env.AMBASSADOR_MIN_FRIENDS,
          ambassadorReferrerPoints: env.AMBASSADOR_REFERRER_POINTS,
        },
        birthdayPoints: env.BIRTHDAY_BONUS_POINTS,
        birthdayOn: env.BIRTHDAY_BONUS_ON,
      },
    };
    const partnersClient = new PartnersClient(createSubgraphClient(env.PARTNERS_URL));
    partnersClient.storeCacheMs = env.EARN_STORE_CACHE_SECONDS * 1000;
    partnersClient.partnerCacheMs = env.PARTNER_CACHE_SECONDS * 1000;
    const partnerChanges = new ChannelListener({
      connectionString: env.PARTNER_CHANGES_DATABASE_URL ?? env.DATABASE_URL,
      channel: PARTNER_CHANGES_CHANNEL,
      onNotice: (partnerId) => partnersClient.partnerChanged(partnerId),
      onLost: () => partnersClient.changeNoticesLost(),
      logger,
      applicationName: 'points-partner-changes',
    });
    partnersClient.changeNotices = partnerChanges;
    if (env.PARTNER_CACHE_SECONDS > 0) void partnerChanges.start();
    const directory = new DirectoryClient(partnersClient, new MembersClient(createSubgraphClient(env.MEMBERS_URL)));
    // A member token without member_id acts as the member its identity is linked to: the members subgraph says which.
    const links = new MemberLinkCache(createMemberLinkLookup(createSubgraphClient(env.MEMBERS_URL)));
    const programme = new ProgrammeService(dataSource);
    const ledgerMetrics = new LedgerMetrics(metrics, dataSource);
    const points = new PointsService(dataSource, directory, programme, config, ledgerMetrics, { slots: env.EARN_BATCH_SLOTS, maxSize: env.EARN_BATCH_MAX, minParallel: env.EARN_BATCH_MIN_PARALLEL });
    const segments = new SegmentService(dataSource, env.SEGMENT_PARTNER_MIN_SIZE);
    const offerActivations = new OfferActivationService(dataSource, directory, segments, new OfferPreviewClient(createSubgraphClient(env.PARTNERS_URL), signer!));
    const stampCards = new StampCardService(dataSource, directory);
    const redemptions = new RedemptionService(dataSource, directory, config, ledgerMetrics);
    const reversals = new ReversalService(dataSource, directory);
    const integrity = new IntegrityService(dataSource);
    const economics = new EconomicsService(dataSource, directory, reportSource);
    const kpis = new KpisService(reportSource, directory);
    const funding = new FundingService(dataSource, directory);
    const grants = new GrantService(dataSource, directory, config);
    const cashouts = new CashoutService(dataSource, directory, config);
    const bonuses = new BonusService(dataSource, config);
    const memberships = new MembershipService(dataSource, directory, config);
    const stopSweeper = startLedgerSweeper(new MaintenanceService(dataSource, logger, env.POINTS_EXPIRING_NOTICE_DAYS), config.sweepIntervalMs, metrics, [
      () => bonuses.sweep(),
      () => memberships.sweep(),
    ]);
    const registrations = new RegistrationService(dataSource, config);
    const games = new GameService(dataSource, directory, config);
    const households = new HouseholdService(dataSource, directory, new MemberResolveClient(createSubgraphClient(env.MEMBERS_URL), signer!), config, {
      maxMembers: env.HOUSEHOLD_MAX_MEMBERS,
      transferYearlyLimit: env.HOUSEHOLD_TRANSFER_YEARLY_LIMIT,
      invitationDays: env.HOUSEHOLD_INVITATION_DAYS,
    });
    const webhookConfig: WebhookConfig = {
      urlPolicy: { production: env.NODE_ENV === 'production' },
      retry: { baseMs: env.WEBHOOK_RETRY_BASE_MS, capMs: env.WEBHOOK_RETRY_MAX_MS, windowMs: env.WEBHOOK_RETRY_WINDOW_SECONDS * 1000 },
      disable: { failures: env.WEBHOOK_DISABLE_AFTER_FAILURES, afterMs: env.WEBHOOK_DISABLE_AFTER_SECONDS * 1000 },
      leaseMs: env.WEBHOOK_TIMEOUT_MS * 3,
      concurrency: env.WEBHOOK_CONCURRENCY,
    };
    const webhooks = new WebhooksService(dataSource, webhookConfig);
    const webhookDelivery = new WebhookDeliveryService(
      dataSource,
      new WebhookSender(webhookConfig.urlPolicy, env.WEBHOOK_TIMEOUT_MS),
      new MemberConsentsClient(createSubgraphClient(env.MEMBERS_URL), signer!),
      webhookConfig,
      logger,
    );
    const stopWebhooks = startWebhookDelivery(webhookDelivery, env.WEBHOOK_DELIVERY_INTERVAL_MS);
    const donationPostings = new DonationPostingService(dataSource);
    const memberClosings = new MemberClosingService(dataSource);
    const memberMerges = new MemberMergeService(dataSource);
    const stopRelay = startPledgeRelay(new PledgeRelayService(dataSource, createDonationsClient(env.DONATIONS_URL, signer!), logger), env.PLEDGE_RELAY_INTERVAL_MS);
    const memberExport = new MemberDataExport({ primary: dataSource, reports: reportSource }, POINTS_MEMBER_DATA_SECTIONS);
    const memberErasure = new MemberDataErasure(dataSource, POINTS_MEMBER_ERASURE_STATEMENTS);
    // One LISTEN connection per process, opened at the first subscription.
    const liveEvents = new LiveEventsService({ connectionString: env.EVENTS_DATABASE_URL ?? env.DATABASE_URL, logger });
    metrics.collectedGauge('hub_live_subscriptions', 'Open accountEvents and partnerEvents subscriptions in this process', [], (gauge) => gauge.set(liveEvents.open));
    return {
      resolveViewer: (viewer, requestId) => resolveLinkedMember(viewer, links, requestId),
      createContext: (viewer, requestId) => ({
        viewer,
        requestId,
        memberExport,
        memberErasure,
        points,
        offerActivations,
        segments,
        stampCards,
        redemptions,
        reversals,
        programme,
        integrity,
        economics,
        kpis,
        funding,
        grants,
        cashouts,
        bonuses,
        memberships,
        registrations,
        games,
        households,
        webhooks,
        webhookDelivery,
        liveEvents,
        donationPostings,
        memberClosings,
        memberMerges,
        loaders: {
          account: new DataLoader(async (memberIds: readonly string[]) => {
            const rows = await points.memberAccounts(memberIds);
            return memberIds.map((id) => rows.find((a) => a.ownerId === id) ?? null);
          }),
          provenance: new DataLoader((ids: readonly string[]) => economics.provenance(ids)),
          awards: new DataLoader(async (ids: readonly string[]) => {
            const byTransaction = await points.awards(ids);
            return ids.map((id) => byTransaction.get(id) ?? []);
          }),
          redeemedOffer: new DataLoader(async (ids: readonly string[]) => {
            const byTransaction = await redemptions.redeemedOffers(ids);
            return ids.map((id) => byTransaction.get(id) ?? null);
          }),
          basket: new DataLoader(async (ids: readonly string[]) => {
            const byTransaction = await points.baskets(ids);
            return ids.map((id) => byTransaction.get(id) ?? null);
          }),
          membership: new DataLoader((memberIds: readonly string[]) => memberships.memberships(viewer, memberIds)),
          plan: new DataLoader(async (ids: readonly string[]) => {
            const rows = await memberships.plansById(ids);
            return ids.map((id) => rows.find((p) => p.id === id) ?? null);
          }),
        },
      }),
      close: async () => {
        await liveEvents.close();
        await partnerChanges.stop();
        await stopRelay();
        await stopWebhooks();
        await stopSweeper();
      },
    };
  },
};
