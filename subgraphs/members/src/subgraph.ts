import { buildFederatedSchema, byIdLoader, type SubgraphDefinition } from '../../shared/src';
import { membersMigrations } from '../../../migrations/members';
import { type MembersContext } from './context';
import { memberReference } from './graphql/member.reference';
import { MemberResolver } from './graphql/member.resolver';
import { MemberEntity } from './persistence/member.entity';
import { MembersService } from './services/members.service';

export const membersSubgraph: SubgraphDefinition<MembersContext> = {
  name: 'members',
  defaultPort: 4001,
  entities: [MemberEntity],
  migrations: membersMigrations,
  buildSchema: () => buildFederatedSchema({ resolvers: [MemberResolver] }, memberReference),
  setup({ dataSource }) {
    const members = new MembersService(dataSource);
    return {
      createContext: (viewer, requestId) => ({
        viewer,
        requestId,
        members,
        loaders: { member: byIdLoader((ids) => members.loadMany(ids)) },
      }),
    };
  },
};
