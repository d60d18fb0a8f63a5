import DataLoader from 'dataloader';
import { SharingConsentResolver } from './graphql/sharing.resolver';
import { MemberResolveResolver } from './graphql/member-resolve.resolver';
import { membersSharingWithPartners } from './persistence/sharing.repository';
import { z } from 'zod';
import { buildFederatedSchema, byIdLoader, createAuditLogResolver, createSubgraphClient, type SubgraphDefinition } from '../../../lib/src';
import { membersMigrations } from '../../../migrations/members';
import { type MembersContext } from './context';
import { kpisReference, MembersKpisType } from './graphql/kpis.type';
import { MembersKpisService } from './services/kpis.service';
import { memberReference } from './graphql/member.reference';
import { CardResolver } from './graphql/card.resolver';
import { ClosingResolver } from './graphql/closing.resolver';
import { startClosingReconciler } from './jobs/closing-reconciler.job';
import { MembersDonationsClient } from './clients/donations.client';
import { MembersPointsClient } from './clients/points.client';
import { ClosingService } from './services/closing.service';
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
import { MembersErasureClient } from './clients/erasure.client';
import { ErasureResolver } from './graphql/erasure.resolver';
import { startErasureReconciler } from './jobs/erasure-reconciler.job';
import { ErasureService } from './services/erasure.service';
import { startRegistrationRelay } from './jobs/registration-relay.job';
import { RegistrationRelayService } from './services/registration.service';

const MembersAuditLogResolver = createAuditLogResolver('members');
const MembersMemberExportResolver = createMemberExportResolver('members');

/** Enrollment asks the partners subgraph whether the enrolling partner is active. */
const membersEnv = {
  PARTNERS_URL: z.url().default('http://127.0.0.1:4003/graphql'),
  /** A partner's enrolments of emails already enrolled, within the window, before its enrolments are refused. */
  ENROLLMENT_EMAIL_TAKEN_MAX: z.coerce.number().int().min(1).max(100_000).default(20),
  ENROLLMENT_EMAIL_TAKEN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(604_800).default(3_600),
  /** The closing saga calls the ledger and, to donate a closing's points, donations (internal operations). */
  POINTS_URL: z.url().default('http://127.0.0.1:4002/graphql'),
  DONATIONS_URL: z.url().default('http://127.0.0.1:4004/graphql'),
  /** How often the reconciler re-drives closings and merges left PENDING, and how old they must be (ms; 0: never). */
  CLOSING_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(5_000),
  CLOSING_RECONCILE_AFTER_MS: z.coerce.number().int().min(0).default(30_000),
  /** How often the reconciler drives erasure requests left incomplete, and how old they must be (ms; 0: never). */
  ERASURE_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(5_000),
  ERASURE_RECONCILE_AFTER_MS: z.coerce.number().int().min(0).default(30_000),
  /** How often the registration relay sends what enrolment's own kick left (crash, ledger down) (ms; 0: never). */
  REGISTRATION_RELAY_INTERVAL_MS: z.coerce.number().int().min(0).default(2_000),
  /** Test hook, honoured only when NODE_ENV=test: comma-separated saga points to stop at once (closing.config.ts). */
  MEMBERS_CRASH_AT: z.string().default(''),
};

export const membersSubgraph: SubgraphDefinition<MembersContext, z.infer<z.ZodObject<typeof membersEnv>>> = {
  name: 'members',
  defaultPort: 4001,
  internalOperations: ['membersSharingWithPartners', 'activeMemberNamed'],
  callsInternalOperations: true,
  entities: [MemberEntity],
  migrations: membersMigrations,
  env: membersEnv,
  buildSchema: () => buildFederatedSchema({ resolvers: [SharingConsentResolver, MemberResolveResolver, MemberResolver, SelfServiceResolver, CardResolver, ClosingResolver, MembersAuditLogResolver, MembersMemberExportResolver, ErasureResolver], orphanedTypes: [MembersKpisType] }, { ...memberReference, ...kpisReference }),
  setup({ dataSource, reportSource, env, logger, signer }) {
    const partners = createPartnersClient(env.PARTNERS_URL);
    const cards = new CardsService(dataSource, partners);
    const kpis = new MembersKpisService(reportSource);
    const closings = new ClosingService(
      dataSource,
      new MembersPointsClient(createSubgraphClient(env.POINTS_URL), signer!),
      new MembersDonationsClient(createSubgraphClient(env.DONATIONS_URL), signer!),
      {
        reconcileAfterMs: env.CLOSING_RECONCILE_AFTER_MS,
        crashAt: new Set(env.NODE_ENV === 'test' ? env.MEMBERS_CRASH_AT.split(',').filter(Boolean) : []),
      },
      logger,
    );
    const stopReconciler = startClosingReconciler(closings, env.CLOSING_RECONCILE_INTERVAL_MS, logger);
    const erasures = new ErasureService(
      dataSource,
      new MembersPointsClient(createSubgraphClient(env.POINTS_URL), signer!),
      new MembersErasureClient({ points: createSubgraphClient(env.POINTS_URL), donations: createSubgraphClient(env.DONATIONS_URL), partners: createSubgraphClient(env.PARTNERS_URL) }, signer!),
      logger,
    );
    const stopErasureReconciler = startErasureReconciler(erasures, env.ERASURE_RECONCILE_INTERVAL_MS, env.ERASURE_RECONCILE_AFTER_MS, logger);
    const registrations = new RegistrationRelayService(dataSource, new MembersPointsClient(createSubgraphClient(env.POINTS_URL), signer!), logger);
    const stopRegistrationRelay = startRegistrationRelay(registrations, env.REGISTRATION_RELAY_INTERVAL_MS, logger);
    const members = new MembersService(
      dataSource,
      partners,
      { maxRefusals: env.ENROLLMENT_EMAIL_TAKEN_MAX, windowSeconds: env.ENROLLMENT_EMAIL_TAKEN_WINDOW_SECONDS },
      () => registrations.kick(),
    );
    const memberExport = new MemberDataExport({ primary: dataSource, reports: reportSource }, MEMBER_DATA_SECTIONS, memberExists);
    // This subgraph owns the identity links: a member token is resolved from its table (cached per identity).
    const links: MemberLinkCache = new MemberLinkCache(async (viewer): Promise<string | null> => selfService.linkedMember(viewer));
    const selfService: MemberSelfService = new MemberSelfService(dataSource, members, links);
    return {
      resolveViewer: (viewer, requestId) => resolveLinkedMember(viewer, links, requestId),
      createContext: (viewer, requestId) => ({
        viewer,
        requestId,
        sharingConsents: (memberIds: readonly string[]) => membersSharingWithPartners(dataSource.manager, memberIds),
        selfService,
        memberExport,
        members,
        cards,
        kpis,
        closings,
        erasures,
        loaders: { member: byIdLoader((ids) => members.loadMany(ids)), cards: new DataLoader((ids: readonly string[]) => cards.cardsOf(ids)) },
      }),
      close: async () => {
        await stopReconciler();
        await stopErasureReconciler();
        await stopRegistrationRelay();
        await registrations.idle();
      },
    };
  },
};
