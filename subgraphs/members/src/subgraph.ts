import DataLoader from 'dataloader';
import { z } from 'zod';
import { buildFederatedSchema, byIdLoader, createAuditLogResolver, type SubgraphDefinition } from '../../../lib/src';
import { membersMigrations } from '../../../migrations/members';
import { type MembersContext } from './context';
import { memberReference } from './graphql/member.reference';
import { CardResolver } from './graphql/card.resolver';
import { MemberResolver } from './graphql/member.resolver';
import { SelfServiceResolver } from './graphql/self-service.resolver';
import { MemberSelfService } from './services/self-service.service';
import { MemberLinkCache, resolveLinkedMember } from '../../../lib/src/member-link';
import { MemberEntity } from './persistence/member.entity';
import { CardsService } from './services/cards.service';
import { MembersService } from './services/members.service';
import { createPartnersClient } from './clients/partners.client';
import { createMemberExportResolver } from '../../../lib/src/graphql/member-export.resolver';
import { MemberDataExport } from '../../../lib/src/member-data';
import { MEMBER_DATA_SECTIONS, memberExists } from './persistence/member-data.repository';

const MembersAuditLogResolver = createAuditLogResolver('members');
const MembersMemberExportResolver = createMemberExportResolver('members');

/** Enrollment asks the partners subgraph whether the enrolling partner is active. */
const membersEnv = {
  PARTNERS_URL: z.url().default('http://127.0.0.1:4003/graphql'),
  /** A partner's enrolments of emails already enrolled, within the window, before its enrolments are refused. */
  ENROLLMENT_EMAIL_TAKEN_MAX: z.coerce.number().int().min(1).max(100_000).default(20),
  ENROLLMENT_EMAIL_TAKEN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(604_800).default(3_600),
};

export const membersSubgraph: SubgraphDefinition<MembersContext, z.infer<z.ZodObject<typeof membersEnv>>> = {
  name: 'members',
  defaultPort: 4001,
  entities: [MemberEntity],
  migrations: membersMigrations,
  env: membersEnv,
  buildSchema: () => buildFederatedSchema({ resolvers: [MemberResolver, SelfServiceResolver, CardResolver, MembersAuditLogResolver, MembersMemberExportResolver] }, memberReference),
  setup({ dataSource, env }) {
    const partners = createPartnersClient(env.PARTNERS_URL);
    const cards = new CardsService(dataSource, partners);
    const members = new MembersService(dataSource, partners, {
      maxRefusals: env.ENROLLMENT_EMAIL_TAKEN_MAX,
      windowSeconds: env.ENROLLMENT_EMAIL_TAKEN_WINDOW_SECONDS,
    });
    const memberExport = new MemberDataExport(dataSource, MEMBER_DATA_SECTIONS, memberExists);
    // This subgraph owns the identity links: a member token is resolved from its table (cached per identity).
    const links: MemberLinkCache = new MemberLinkCache(async (viewer): Promise<string | null> => selfService.linkedMember(viewer));
    const selfService: MemberSelfService = new MemberSelfService(dataSource, members, links);
    return {
      resolveViewer: (viewer, requestId) => resolveLinkedMember(viewer, links, requestId),
      createContext: (viewer, requestId) => ({
        viewer,
        requestId,
        selfService,
        memberExport,
        members,
        cards,
        loaders: { member: byIdLoader((ids) => members.loadMany(ids)), cards: new DataLoader((ids: readonly string[]) => cards.cardsOf(ids)) },
      }),
    };
  },
};
