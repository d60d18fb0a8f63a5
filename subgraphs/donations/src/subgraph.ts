import { z } from 'zod';
import {
  buildFederatedSchema,
  byIdLoader,
  createAuditLogResolver,
  createSubgraphClient,
  currency,
  parseScaled,
  RATE_SCALE,
  type SubgraphDefinition,
} from '../../../lib/src';
import { donationsMigrations } from '../../../migrations/donations';
import { createPartnersClient } from './clients/partners.client';
import { createPointsClient } from './clients/points.client';
import { ClosingDonationResolver } from './graphql/closing-donation.resolver';
import { createMemberLinkLookup } from '../../../lib/src/clients/member-link.client';
import { MemberLinkCache, resolveLinkedMember } from '../../../lib/src/member-link';
import { seededDraws } from '../../../lib/src/seeded-random';
import { type DonationsContext } from './context';
import { donationsReferences } from './graphql/charity.reference';
import { CharityResolver } from './graphql/charity.resolver';
import { DonationResolver, DonorResolver } from './graphql/donation.resolver';
import { DonorType } from './graphql/donation.type';
import { CharityGoalsResolver, GoalsResolver } from './graphql/goals.resolver';
import { MatchCampaignResolver, MatchingResolver } from './graphql/matching.resolver';
import { DonorCauseResolver, PledgesResolver } from './graphql/pledges.resolver';
import { DonationReceiptResolver, ReceiptsResolver } from './graphql/receipts.resolver';
import { CharityDonationTotalResolver, DonorGivingResolver, GivingReportRowResolver, ReportsResolver } from './graphql/reports.resolver';
import { startDonationReconciler } from './jobs/donation-reconciler.job';
import { registerDonationMetrics } from './services/donations.metrics';
import { CharityEntity, DonationEntity } from './persistence/charity.entity';
import { CharitiesService } from './services/charities.service';
import { DonationsService } from './services/donations.service';
import { type GivingConfig } from './services/giving.config';
import { MatchingService } from './services/matching.service';
import { PledgesService } from './services/pledges.service';
import { ReceiptsService } from './services/receipts.service';
import { ReportsService } from './services/reports.service';
import { DonationsKpisService } from './services/kpis.service';
import { DonationsKpisType, kpisReference } from './graphql/kpis.type';
import { createMemberErasureResolver } from '../../../lib/src/graphql/member-erasure.resolver';
import { createMemberExportResolver } from '../../../lib/src/graphql/member-export.resolver';
import { MemberDataErasure, MemberDataExport } from '../../../lib/src/member-data';
import { DONATIONS_MEMBER_DATA_SECTIONS, DONATIONS_MEMBER_ERASURE_STATEMENTS } from './persistence/member-data.repository';

const DonationsAuditLogResolver = createAuditLogResolver('donations');
const DonationsMemberExportResolver = createMemberExportResolver('donations');
const DonationsMemberErasureResolver = createMemberErasureResolver('donations');

const donationsEnv = {
  POINTS_URL: z.url().default('http://127.0.0.1:4002/graphql'),
  /** Which member a token's identity is linked to (sign-up), asked with the caller's token. */
  MEMBERS_URL: z.url().default('http://127.0.0.1:4001/graphql'),
  PARTNERS_URL: z.url().default('http://127.0.0.1:4003/graphql'),
  DONATION_MIN_POINTS: z.coerce.number().int().min(1).max(2_147_483_647).default(10),
  /** Money value of one donated point, decimal (up to 6 places), in DONATION_CURRENCY. */
  DONATION_POINT_VALUE: z.string().regex(/^\d{1,12}(\.\d{1,6})?$/, 'a decimal such as 0.01').default('0.01'),
  DONATION_CURRENCY: z.string().default('EUR'),
  DONATIONS_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(5_000),
  DONATIONS_RECONCILE_AFTER_MS: z.coerce.number().int().min(0).default(3_000),
  /** Test hook (NODE_ENV=test only): comma-separated crash points (donation-write, ledger-call, pledge-write). */
  DONATIONS_CRASH_AT: z.string().default(''),
  DONATIONS_CRASH_RATE: z.coerce.number().min(0).max(1).default(1),
  /** Seeds the crash hook's draws (the same seed, the same draws); unset, they are unseeded. */
  DONATIONS_CRASH_SEED: z.coerce.number().int().min(0).max(2 ** 32 - 1).optional(),
};

type DonationsEnv = z.infer<z.ZodObject<typeof donationsEnv>>;

export const donationsSubgraph: SubgraphDefinition<DonationsContext, DonationsEnv> = {
  name: 'donations',
  defaultPort: 4004,
  internalOperations: ['recordPledgeAccrual', 'recordPledgeAccruals', 'donateClosingBalance', 'donationsEraseMember'],
  callsInternalOperations: true,
  entities: [CharityEntity, DonationEntity],
  migrations: donationsMigrations,
  env: donationsEnv,
  buildSchema: () =>
    buildFederatedSchema(
      {
        resolvers: [
          CharityResolver,
          GoalsResolver,
          CharityGoalsResolver,
          DonationResolver,
          ClosingDonationResolver,
          DonorResolver,
          PledgesResolver,
          DonorCauseResolver,
          MatchingResolver,
          MatchCampaignResolver,
          ReceiptsResolver,
          DonationReceiptResolver,
          ReportsResolver,
          CharityDonationTotalResolver,
          GivingReportRowResolver,
          DonorGivingResolver,
          DonationsAuditLogResolver, DonationsMemberExportResolver, DonationsMemberErasureResolver,
        ],
        orphanedTypes: [DonorType, DonationsKpisType],
      },
      { ...donationsReferences, ...kpisReference },
    ),
  setup({ dataSource, reportSource, env, logger, signer, metrics }) {
    const config: GivingConfig = {
      minPoints: env.DONATION_MIN_POINTS,
      pointValueScaled: parseScaled('DONATION_POINT_VALUE', env.DONATION_POINT_VALUE, RATE_SCALE),
      currency: currency('DONATION_CURRENCY', env.DONATION_CURRENCY),
      reconcileAfterMs: env.DONATIONS_RECONCILE_AFTER_MS,
      // The crash hook exists for the exactly-once tests only.
      crashAt: new Set(env.NODE_ENV === 'test' ? env.DONATIONS_CRASH_AT.split(',').filter(Boolean) : []),
      crashRate: env.DONATIONS_CRASH_RATE,
      crashDraw: env.DONATIONS_CRASH_SEED === undefined ? Math.random : seededDraws(env.DONATIONS_CRASH_SEED),
    };
    const charities = new CharitiesService(dataSource);
    const receipts = new ReceiptsService(dataSource);
    const partners = createPartnersClient(env.PARTNERS_URL);
    const matching = new MatchingService(dataSource, receipts, partners);
    const donations = new DonationsService(dataSource, createPointsClient(env.POINTS_URL, signer!), receipts, matching, config, logger);
    const pledges = new PledgesService(dataSource, receipts, config, partners);
    const reports = new ReportsService(dataSource, reportSource);
    const kpis = new DonationsKpisService(reportSource);
    registerDonationMetrics(metrics, dataSource);
    const stopReconciler = startDonationReconciler(donations, env.DONATIONS_RECONCILE_INTERVAL_MS, logger);
    // A member token without member_id acts as the member its identity is linked to: the members subgraph says which.
    const links = new MemberLinkCache(createMemberLinkLookup(createSubgraphClient(env.MEMBERS_URL)));
    const memberExport = new MemberDataExport({ primary: dataSource, reports: reportSource }, DONATIONS_MEMBER_DATA_SECTIONS);
    const memberErasure = new MemberDataErasure(dataSource, DONATIONS_MEMBER_ERASURE_STATEMENTS);
    return {
      resolveViewer: (viewer, requestId) => resolveLinkedMember(viewer, links, requestId),
      createContext: (viewer, requestId) => ({
        viewer,
        requestId,
        memberExport,
        memberErasure,
        charities,
        donations,
        receipts,
        pledges,
        kpis,
        matching,
        reports,
        loaders: { charity: byIdLoader((ids) => charities.loadMany(ids)) },
      }),
      close: async () => stopReconciler(),
    };
  },
};
