import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { inject } from 'vitest';
import { startGateway } from '../../gateway/src/gateway';
import { graphql, mustQuery, type GraphQLResponse } from '../../scripts/lib/graphql-client';
import { enableInProcessCalls, ensureDatabase, startSubgraph, withDatabase, type RunningServer, type RunningSubgraph } from '../../lib/src';
import { donationsSubgraph } from '../../subgraphs/donations/src/subgraph';
import { membersSubgraph } from '../../subgraphs/members/src/subgraph';
import { partnersSubgraph } from '../../subgraphs/partners/src/subgraph';
import { pointsSubgraph } from '../../subgraphs/points/src/subgraph';
import { createTestKeys, signToken, TEST_AUDIENCE, TEST_ISSUER, type TestKeys, type TokenOptions } from './keys';
import { freePort } from './ports';

export type SubgraphKey = 'members' | 'points' | 'partners' | 'donations';

export interface TestHub {
  gatewayUrl: string;
  /** The running subgraphs, for tests that drive a service directly (the ledger sweeper). */
  subgraphs: Partial<Record<SubgraphKey, RunningSubgraph>>;
  urls: Record<SubgraphKey, string>;
  keys: TestKeys;
  /** A pool on the test database, for assertions on what was (not) written. */
  db: Pool;
  token(claims: Record<string, unknown>, options?: TokenOptions): Promise<string>;
  admin(): Promise<string>;
  partnerToken(partnerId: string, scope?: string): Promise<string>;
  memberToken(memberId: string): Promise<string>;
  /** GraphQL through the gateway (default) or straight to one subgraph. */
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string, target?: SubgraphKey): Promise<GraphQLResponse<T>>;
  must<T = Record<string, unknown>>(query: string, variables: Record<string, unknown>, token: string): Promise<T>;
  seed: SeedBuilder;
  /** Another gateway over the same subgraphs, with extra environment (rate limits, trusted documents). */
  startGateway(env: NodeJS.ProcessEnv): Promise<RunningServer>;
  /** Another instance of a subgraph on the same database, calling the first instances' peers unless `env` names others (scale-out tests). */
  startSubgraphInstance(key: SubgraphKey, env?: NodeJS.ProcessEnv): Promise<RunningSubgraph>;
  stop(): Promise<void>;
}

export const PARTNER_SCOPES = 'points:earn points:redeem points:reverse members:enroll members:lookup reports:read';

export interface SeedBuilder {
  partner(input?: { currency?: string; earnRate?: string; name?: string }): Promise<{ id: string; token: string; currency: string }>;
  member(partnerToken: string, input?: { email?: string; displayName?: string; birthDate?: string; referralCode?: string }): Promise<{ id: string; cardNumber: string; token: string }>;
  charity(name?: string): Promise<{ id: string }>;
  earn(partnerToken: string, memberId: string, amount: string, currency: string, key?: string): Promise<{ id: string; points: number }>;
}

/** Which subgraphs a test needs; the gateway joins whichever run. Points needs members and partners. */
export interface HubOptions {
  gateway?: boolean;
  subgraphs?: SubgraphKey[];
  /** Extra environment for every process, for example a short HOLD_TTL_SECONDS. */
  env?: NodeJS.ProcessEnv;
  /** A database of its own (dropped at stop), for tests that must break invariants on purpose. */
  isolatedDatabase?: boolean;
  /** The single-process hub: the gateway (and points) call the subgraphs in-process, not over HTTP. */
  inProcessCalls?: boolean;
}

/**
 * Starts the hub in-process on free ports (test/support/ports.ts) against the run's test database, with its own trusted keys.
 * Each subgraph still owns its schema and pool, and the gateway still talks HTTP to each of them.
 */
export async function startHub(options: HubOptions = {}): Promise<TestHub> {
  let databaseUrl = inject('databaseUrl');
  let isolated: string | undefined;
  if (options.isolatedDatabase) {
    isolated = `${new URL(databaseUrl).pathname.slice(1)}_iso_${randomUUID().slice(0, 8)}`;
    await ensureDatabase(databaseUrl, isolated);
    databaseUrl = withDatabase(databaseUrl, isolated);
  }
  const keys = await createTestKeys();
  if (options.inProcessCalls) enableInProcessCalls();
  const base: NodeJS.ProcessEnv = {
    DATABASE_URL: databaseUrl,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    AUTH_JWKS_FILE: keys.jwksFile,
    SERVICE_SIGNING_KEY_FILE: keys.serviceKeyFile,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    DB_POOL_SIZE: '4',
    NODE_ENV: 'test',
    LEDGER_SWEEP_INTERVAL_MS: '0',
    // Tests fire hundreds of requests per second from one address; rate limits have their own tests.
    RATE_LIMIT_ENABLED: 'false',
    ...options.env,
  };
  const wanted = new Set<SubgraphKey>(options.subgraphs ?? ['members', 'points', 'partners', 'donations']);
  const running: Partial<Record<SubgraphKey, RunningSubgraph>> = {};
  const started: RunningServer[] = [];
  const start = async (key: SubgraphKey, env: NodeJS.ProcessEnv = {}) => {
    const definitions = { members: membersSubgraph, points: pointsSubgraph, partners: partnersSubgraph, donations: donationsSubgraph };
    const server = await startSubgraph(definitions[key] as Parameters<typeof startSubgraph>[0], { ...base, ...env });
    running[key] = server;
    started.push(server);
  };
  // Points and donations call each other (donation postings, pledge events): their ports are fixed first.
  const [pointsPort, donationsPort] = [await freePort(), await freePort()];
  // Donations asks members which member a token's identity is linked to: members' port is fixed first too.
  const membersPort = await freePort();
  const membersUrl = wanted.has('members') ? `http://127.0.0.1:${membersPort}/graphql` : 'http://127.0.0.1:9/graphql';
  const cross = { POINTS_URL: `http://127.0.0.1:${pointsPort}/graphql`, DONATIONS_URL: `http://127.0.0.1:${donationsPort}/graphql` };
  // Donations asks partners whether a pledging partner is active.
  // Partners asks points whether an offer's segment is one the caller may target.
  if (wanted.has('partners')) await start('partners', { MEMBERS_URL: membersUrl, POINTS_URL: cross.POINTS_URL });
  if (wanted.has('donations')) {
    await start('donations', { ...cross, PORT: String(donationsPort), PARTNERS_URL: running.partners?.url ?? 'http://127.0.0.1:9/graphql', MEMBERS_URL: membersUrl });
  }
  // Members asks partners about the enrolling partner; points asks both.
  if (wanted.has('members')) await start('members', { ...cross, PORT: String(membersPort), PARTNERS_URL: running.partners?.url ?? 'http://127.0.0.1:9/graphql' });
  if (wanted.has('points')) {
    await start('points', {
      ...cross,
      PORT: String(pointsPort),
      MEMBERS_URL: running.members?.url ?? 'http://127.0.0.1:9/graphql',
      PARTNERS_URL: running.partners?.url ?? 'http://127.0.0.1:9/graphql',
    });
  }
  const urls = Object.fromEntries(Object.entries(running).map(([k, v]) => [k, v.url])) as Record<SubgraphKey, string>;
  const gatewayEnv = {
    ...base,
    MEMBERS_URL: urls.members ?? 'http://127.0.0.1:9/graphql',
    POINTS_URL: urls.points ?? 'http://127.0.0.1:9/graphql',
    PARTNERS_URL: urls.partners ?? 'http://127.0.0.1:9/graphql',
    DONATIONS_URL: urls.donations ?? 'http://127.0.0.1:9/graphql',
  };
  let gatewayUrl = '';
  if (options.gateway !== false) {
    const gateway = await startGateway(gatewayEnv);
    started.push(gateway);
    gatewayUrl = gateway.url;
  }
  const db = new Pool({ connectionString: databaseUrl, max: 3 });
  db.on('error', () => undefined);

  const token = (claims: Record<string, unknown>, opts?: TokenOptions) => signToken(keys, claims, opts);
  const admin = () => token({ scope: 'admin' }, { subject: 'operator' });
  const partnerToken = (partnerId: string, scope = PARTNER_SCOPES) => token({ scope, partner_id: partnerId }, { subject: `client-${partnerId}` });
  const memberToken = (memberId: string) => token({ scope: 'member', member_id: memberId }, { subject: `user-${memberId}` });
  const query: TestHub['query'] = (q, variables = {}, tok, target) => graphql(target ? urls[target] : gatewayUrl, q, variables, tok);
  const must: TestHub['must'] = (q, variables, tok) => mustQuery(gatewayUrl || urls.members, q, variables, tok);

  const seed: SeedBuilder = {
    async partner(input = {}) {
      const currency = input.currency ?? 'NOK';
      const data = await must<{ createPartner: { partner: { id: string } } }>(
        'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }',
        { input: { name: input.name ?? `Partner ${randomUUID()}`, currency, earnRate: input.earnRate ?? '1' } },
        await admin(),
      );
      const id = data.createPartner.partner.id;
      return { id, currency, token: await partnerToken(id) };
    },
    async member(partnerTok, input = {}) {
      const data = await must<{ enrollMember: { member: { id: string; cardNumber: string } } }>(
        'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id cardNumber } } }',
        {
          input: {
            email: input.email ?? `m-${randomUUID()}@example.com`,
            displayName: input.displayName ?? 'Test Member',
            ...(input.birthDate ? { birthDate: input.birthDate } : {}),
            ...(input.referralCode ? { referralCode: input.referralCode } : {}),
            idempotencyKey: randomUUID(),
          },
        },
        partnerTok,
      );
      const m = data.enrollMember.member;
      return { id: m.id, cardNumber: m.cardNumber, token: await memberToken(m.id) };
    },
    async charity(name = `Charity ${randomUUID()}`) {
      const data = await must<{ createCharity: { charity: { id: string } } }>(
        'mutation($input: CreateCharityInput!) { createCharity(input: $input) { charity { id } } }',
        { input: { name } },
        await admin(),
      );
      return data.createCharity.charity;
    },
    async earn(partnerTok, memberId, amount, currency, key = randomUUID()) {
      const data = await must<{ earnPoints: { transaction: { id: string; points: number } } }>(
        'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points } } }',
        { input: { memberId, purchase: { amount, currency }, reference: `R-${key}`, idempotencyKey: key } },
        partnerTok,
      );
      return data.earnPoints.transaction;
    },
  };

  return {
    gatewayUrl,
    subgraphs: running,
    urls,
    keys,
    db,
    token,
    admin,
    partnerToken,
    memberToken,
    query,
    must,
    seed,
    async startGateway(env) {
      const gateway = await startGateway({ ...gatewayEnv, ...env });
      started.push(gateway);
      return gateway;
    },
    async startSubgraphInstance(key, env = {}) {
      const definitions = { members: membersSubgraph, points: pointsSubgraph, partners: partnersSubgraph, donations: donationsSubgraph };
      const peers = { ...cross, MEMBERS_URL: membersUrl, PARTNERS_URL: running.partners?.url ?? 'http://127.0.0.1:9/graphql' };
      const server = await startSubgraph(definitions[key] as Parameters<typeof startSubgraph>[0], { ...base, ...peers, PORT: '0', ...env });
      started.push(server);
      return server;
    },
    async stop() {
      for (const server of started.reverse()) await server.stop();
      await db.end();
      if (isolated) {
        const admin = new Pool({ connectionString: inject('databaseUrl'), max: 1 });
        admin.on('error', () => undefined);
        await admin.query(`DROP DATABASE IF EXISTS "${isolated}" WITH (FORCE)`);
        await admin.end();
      }
    },
  };
}

/** Counts rows of `table` (schema-qualified) matching an optional WHERE clause. */
export async function count(db: Pool, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table} WHERE ${where}`, params);
  return Number(rows[0].n);
}

/**
 * How long the tests allow for a partner change to be heard by the points subgraph: it keeps the calling
 * partner's facts per process and drops them when the partners subgraph's change notice arrives (a
 * PostgreSQL NOTIFY, heard milliseconds after the change commits; on a box loaded by other work the event
 * loop may read it after the test's next request). Without the notice the facts would be kept 60 s, so a
 * test that waits this long still fails if the notice is not acted on.
 */
export const PARTNER_NOTICE_MS = 500;

/** Waits PARTNER_NOTICE_MS: a partner's change (suspension, new terms) has then been heard by the earn. */
export function partnerChangeHeard(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, PARTNER_NOTICE_MS));
}
