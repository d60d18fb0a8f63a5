import DataLoader from 'dataloader';
import { z } from 'zod';
import { buildFederatedSchema, createSubgraphClient, type SubgraphDefinition } from '../../shared/src';
import { pointsMigrations } from '../../../migrations/points';
import { type PointsContext } from './context';
import { pointsReferences } from './graphql/points.reference';
import { PointsAccountResolver, PointsMemberResolver, PointsTransactionResolver } from './graphql/points.resolver';
import { PointsMemberType } from './graphql/points.type';
import { AccountEntity, PostingEntity, TransactionEntity } from './persistence/ledger.entity';
import { DirectoryService } from './services/directory.service';
import { PointsService } from './services/points.service';

const pointsEnv = {
  MEMBERS_URL: z.url().default('http://127.0.0.1:4001/graphql'),
  PARTNERS_URL: z.url().default('http://127.0.0.1:4003/graphql'),
};

export const pointsSubgraph: SubgraphDefinition<PointsContext, { MEMBERS_URL: string; PARTNERS_URL: string }> = {
  name: 'points',
  defaultPort: 4002,
  entities: [AccountEntity, TransactionEntity, PostingEntity],
  migrations: pointsMigrations,
  env: pointsEnv,
  buildSchema: () => buildFederatedSchema({ resolvers: [PointsMemberResolver, PointsAccountResolver, PointsTransactionResolver], orphanedTypes: [PointsMemberType] }, pointsReferences),
  setup({ dataSource, env }) {
    const directory = new DirectoryService(createSubgraphClient(env.PARTNERS_URL), createSubgraphClient(env.MEMBERS_URL));
    const points = new PointsService(dataSource, directory);
    return {
      createContext: (viewer, requestId) => ({
        viewer,
        requestId,
        points,
        loaders: {
          account: new DataLoader(async (memberIds: readonly string[]) => {
            const rows = await points.memberAccounts(memberIds);
            return memberIds.map((id) => rows.find((a) => a.ownerId === id) ?? null);
          }),
        },
      }),
    };
  },
};
