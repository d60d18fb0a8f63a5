import DataLoader from 'dataloader';
import { z } from 'zod';
import { buildFederatedSchema, createAuditLogResolver, createServiceSigner, createSubgraphClient, type SubgraphDefinition } from '../../shared/src';
import { pointsMigrations } from '../../../migrations/points';
import { type PointsContext } from './context';
import { pointsReferences } from './graphql/points.reference';
import { PartnerTransactionsResolver, PointsAccountResolver, PointsMemberResolver, PointsTransactionResolver } from './graphql/points.resolver';
import { PointsMemberType } from './graphql/points.type';
import { EconomicsResolver, TransactionEconomicsResolver } from './graphql/economics.resolver';
import { ProgrammeResolver } from './graphql/programme.resolver';
import { RedemptionResolver } from './graphql/redemption.resolver';
import { AccountEntity, HoldEntity, PostingEntity, TransactionEntity } from './persistence/ledger.entity';
import { DonationPostingResolver } from './graphql/donation-posting.resolver';
import { DirectoryService } from './services/directory.service';
import { DonationPostingService } from './services/donation-posting.service';
import { EconomicsService } from './services/economics.service';
import { FundingService } from './services/funding.service';
import { PledgeRelayService } from './services/pledge-relay.service';
import { IntegrityService } from './services/integrity.service';
import { MaintenanceService } from './services/maintenance.service';
import { PointsService } from './services/points.service';
import { ProgrammeService } from './services/programme.service';
import { RedemptionService } from './services/redemption.service';
import { ReversalService } from './services/reversal.service';

const pointsEnv = {
  MEMBERS_URL: z.url().default('http://127.0.0.1:4001/graphql'),
  PARTNERS_URL: z.url().default('http://127.0.0.1:4003/graphql'),
  POINTS_EXPIRY_MONTHS: z.coerce.number().int().min(1).max(240).default(24),
  HOLD_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  REDEMPTION_CODE_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(600),
  LEDGER_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).default(5_000),
  DONATIONS_URL: z.url().default('http://127.0.0.1:4004/graphql'),
  SERVICE_SIGNING_KEY_FILE: z.string().min(1).optional(),
  PLEDGE_RELAY_INTERVAL_MS: z.coerce.number().int().min(0).default(1_000),
};

type PointsEnv = { MEMBERS_URL: string; PARTNERS_URL: string; POINTS_EXPIRY_MONTHS: number; HOLD_TTL_SECONDS: number; REDEMPTION_CODE_TTL_SECONDS: number; LEDGER_SWEEP_INTERVAL_MS: number; DONATIONS_URL: string; SERVICE_SIGNING_KEY_FILE?: string; PLEDGE_RELAY_INTERVAL_MS: number };

const PointsAuditLogResolver = createAuditLogResolver('points');

export const pointsSubgraph: SubgraphDefinition<PointsContext, PointsEnv> = {
  name: 'points',
  defaultPort: 4002,
  entities: [AccountEntity, TransactionEntity, PostingEntity, HoldEntity],
  migrations: pointsMigrations,
  env: pointsEnv,
  buildSchema: () =>
    buildFederatedSchema(
      {
        resolvers: [PointsMemberResolver, PointsAccountResolver, PartnerTransactionsResolver, PointsTransactionResolver, RedemptionResolver, ProgrammeResolver, DonationPostingResolver, PointsAuditLogResolver, EconomicsResolver, TransactionEconomicsResolver],
        orphanedTypes: [PointsMemberType],
      },
      pointsReferences,
    ),
  setup({ dataSource, env, logger }) {
    const config = {
      expiryMonths: env.POINTS_EXPIRY_MONTHS,
      holdTtlSeconds: env.HOLD_TTL_SECONDS,
      redemptionCodeTtlSeconds: env.REDEMPTION_CODE_TTL_SECONDS,
      sweepIntervalMs: env.LEDGER_SWEEP_INTERVAL_MS,
    };
    const directory = new DirectoryService(createSubgraphClient(env.PARTNERS_URL), createSubgraphClient(env.MEMBERS_URL));
    const programme = new ProgrammeService(dataSource);
    const points = new PointsService(dataSource, directory, programme, config);
    const redemptions = new RedemptionService(dataSource, directory, config);
    const reversals = new ReversalService(dataSource, directory);
    const integrity = new IntegrityService(dataSource);
    const economics = new EconomicsService(dataSource, directory);
    const funding = new FundingService(dataSource, directory);
    const stopSweeper = new MaintenanceService(dataSource, logger).start(config.sweepIntervalMs);
    const donationPostings = new DonationPostingService(dataSource);
    const signer = createServiceSigner({ keyFile: env.SERVICE_SIGNING_KEY_FILE, issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE, service: 'points' });
    if (!signer) logger.warn('SERVICE_SIGNING_KEY_FILE is not set: earns are not relayed to pledges');
    const stopRelay = new PledgeRelayService(dataSource, createSubgraphClient(env.DONATIONS_URL), signer, logger).start(env.PLEDGE_RELAY_INTERVAL_MS);
    return {
      createContext: (viewer, requestId) => ({
        viewer,
        requestId,
        points,
        redemptions,
        reversals,
        programme,
        integrity,
        economics,
        funding,
        donationPostings,
        loaders: {
          account: new DataLoader(async (memberIds: readonly string[]) => {
            const rows = await points.memberAccounts(memberIds);
            return memberIds.map((id) => rows.find((a) => a.ownerId === id) ?? null);
          }),
          provenance: new DataLoader((ids: readonly string[]) => economics.provenance(ids)),
        },
      }),
      close: async () => {
        await stopRelay();
        await stopSweeper();
      },
    };
  },
};
