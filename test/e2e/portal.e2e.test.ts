import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer } from '../../lib/src';
import { ensureDevKeys, signDevToken, type DevKeys } from '../../scripts/lib/dev-auth';
import { mustQuery } from '../../scripts/lib/graphql-client';
import { demoIdentities, seedDemo, type SeededIdentity } from '../../scripts/lib/seed';
import { startHub, type TestHub } from '../support/hub';

/**
 * The portal in a real browser (Debian's Chromium, driven by playwright-core) against one hub seeded with the
 * demo coalition, the gateway running in trusted-documents mode with the portal's manifest: every page the
 * portal shows works with the manifest's documents only. Each page visited is checked with axe-core (no
 * serious or critical violation) and kept as a screenshot in test-artifacts/portal/.
 *
 * The identity provider is a real oidc-provider (authorization code with PKCE, its own login and consent
 * pages). It signs with the hub's local key under its own issuer URL, and the hub trusts that issuer, so one
 * hub serves both sign-ins: the demo sign-in (the hub signs its own tokens) on one gateway, the OpenID Connect
 * sign-in on another over the same subgraphs.
 */

const ROOT = join(__dirname, '..', '..');
const CANDIDATES = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const CHROMIUM = CANDIDATES.find((p) => existsSync(p));
const SKIP_REASON = `no Chromium at ${CANDIDATES.join(' or ')} (install Debian's \`chromium\` package, or set CHROMIUM_PATH)`;
if (!CHROMIUM) {
  // In CI the browser tests must run: .ci/run installs Chromium.
  if (process.env.CI) throw new Error(`Portal browser tests cannot run: ${SKIP_REASON}`);
  console.warn(`\n⚠ Portal browser tests skipped: ${SKIP_REASON}.\n`);
}

const ARTIFACTS = join(ROOT, 'test-artifacts', 'portal');
const AUDIENCE = 'https://hub.coalition.example/graphql';
const OIDC_CLIENT = 'coalition-portal';

type ProviderModule = typeof import('oidc-provider');

describe.skipIf(!CHROMIUM)('the portal in a browser', () => {
  let hub: TestHub;
  let keys: DevKeys;
  let identities: SeededIdentity[];
  let browser: Browser;
  let demoGateway: RunningServer;
  let oidcGateway: RunningServer;
  let oidcServer: Server;
  let issuer: string;
  let portalDir: string;
  const origin = (gateway: RunningServer) => new URL(gateway.url).origin;
  const graphqlBodies: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const work = mkdtempSync(join(tmpdir(), 'hub-portal-e2e-'));
    // The portal as its sources are now (a build takes seconds).
    portalDir = join(work, 'portal');
    const { build } = await import('vite');
    await build({ configFile: join(ROOT, 'portal', 'vite.config.mts'), logLevel: 'warn', build: { outDir: portalDir, emptyOutDir: true } });

    // The identity provider's address first: the hub trusts its issuer. The provider itself is made once the
    // OIDC gateway's address (its redirect URI) is known.
    const provider: { handle?: ReturnType<InstanceType<ProviderModule['default']>['callback']> } = {};
    oidcServer = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (provider.handle) void provider.handle(req, res);
      else res.writeHead(503).end();
    });
    await new Promise<void>((resolve) => oidcServer.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(oidcServer.address() as AddressInfo).port}`;

    keys = { ...(await ensureDevKeys(join(work, 'auth'))), issuer, audience: AUDIENCE };
    hub = await startHub({
      isolatedDatabase: true, // the demo seed runs on an empty hub
      env: { AUTH_ISSUER: issuer, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_FILE: keys.jwksFile, WELCOME_BONUS_POINTS: '100', LEDGER_SWEEP_INTERVAL_MS: '400' },
    });
    await seedDemo(hub.gatewayUrl, keys);
    identities = await demoIdentities(hub.gatewayUrl, await signDevToken(keys, { kind: 'admin' }));
    const identitiesFile = join(work, 'auth', 'demo-identities.json');
    writeFileSync(identitiesFile, JSON.stringify({ identities }));

    const portalEnv = { PORTAL_DIR: portalDir, TRUSTED_DOCUMENTS_FILE: join(portalDir, 'persisted-documents.json'), RATE_LIMIT_ENABLED: 'false' };
    demoGateway = await hub.startGateway({ ...portalEnv, DEMO_SIGN_IN_KEY_FILE: join(work, 'auth', 'signing-key.json'), DEMO_IDENTITIES_FILE: identitiesFile });
    oidcGateway = await hub.startGateway({ ...portalEnv, PORTAL_OIDC_CLIENT_ID: OIDC_CLIENT, PORTAL_OIDC_RESOURCE: AUDIENCE });

    const { default: Provider } = (await import('oidc-provider')) as ProviderModule;
    const signing = { ...keys.privateJwk, use: 'sig' };
    const oidc = new Provider(issuer, {
      clients: [
        {
          client_id: OIDC_CLIENT,
          token_endpoint_auth_method: 'none', // a browser app: no secret, PKCE instead
          grant_types: ['authorization_code'],
          response_types: ['code'],
          redirect_uris: [`${origin(oidcGateway)}/callback`],
          id_token_signed_response_alg: 'EdDSA',
        },
      ],
      jwks: { keys: [signing] },
      pkce: { required: () => true },
      // The portal's origin may call the token endpoint from its pages; nobody else's.
      clientBasedCORS: (_ctx, requestOrigin) => requestOrigin === origin(oidcGateway),
      findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, name: sub }) }),
      ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
      scopes: ['openid', 'member', 'member:signup'],
      features: {
        devInteractions: { enabled: true }, // the provider's own login and consent pages
        resourceIndicators: {
          enabled: true,
          defaultResource: () => AUDIENCE,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: 'member member:signup',
            audience: AUDIENCE,
            accessTokenTTL: 600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'EdDSA', kid: keys.privateJwk.kid } },
          }),
        },
      },
    });
    provider.handle = oidc.callback();

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await new Promise<void>((resolve) => (oidcServer ? oidcServer.close(() => resolve()) : resolve()));
  });

  const axeSource = readFileSync(createRequire(__filename).resolve('axe-core/axe.min.js'), 'utf8');

  async function newPage(base: RunningServer, viewport = { width: 1200, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport, locale: 'en-GB', acceptDownloads: true });
    const page = await context.newPage();
    page.on('request', (request) => {
      if (request.url().endsWith('/graphql') && request.method() === 'POST') graphqlBodies.push(request.postData() ?? '');
    });
    page.on('pageerror', (error) => {
      throw error;
    });
    await page.goto(`${origin(base)}/`);
    return { context, page };
  }

  /** The page as a person sees it: no API error shown, no serious accessibility violation; kept as a screenshot. */
  async function check(page: Page, name: string): Promise<void> {
    await page.waitForSelector('main h1');
    await page.waitForFunction(() => document.querySelectorAll('.loading').length === 0, undefined, { timeout: 15_000 });
    expect(await page.locator('.notice-error').allInnerTexts(), `${name}: errors shown`).toEqual([]);
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const result = await (window as unknown as { axe: { run(c: unknown, o: unknown): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, {
        resultTypes: ['violations'],
      });
      return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    expect(violations, `${name}: accessibility`).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  async function signIn(page: Page, name: string): Promise<void> {
    await page.getByRole('button', { name, exact: true }).click();
    await page.waitForSelector('nav.nav');
  }

  const go = async (page: Page, link: string) => {
    await page.locator('nav.nav').getByRole('link', { name: link, exact: true }).click();
    await page.waitForSelector('main h1');
  };

  const digits = (text: string) => Number(text.replace(/[^\d-]/g, ''));
  const idOf = (kind: SeededIdentity['kind'], name: string) => identities.find((i) => i.kind === kind && i.name === name)!.id!;
  const api = <T,>(query: string, variables: Record<string, unknown>, token: string) => mustQuery<T>(hub.gatewayUrl, query, variables, token);
  /**
   * A new member's first purchase at the grocer's till. The ledger opens a member's account at its first
   * posting, and the welcome bonus follows (the sweeper pays it); until sign-up itself opens the account,
   * this is what makes the bonus come.
   */
  const firstPurchase = async (email: string) => {
    const { rows } = await hub.db.query<{ id: string }>('SELECT id FROM members.members WHERE lower(email) = lower($1)', [email]);
    expect(rows).toHaveLength(1);
    await api(
      'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
      { input: { memberId: rows[0].id, purchase: { amount: '42.00', currency: 'NOK' }, reference: `FIRST-${rows[0].id}`, idempotencyKey: `first-${rows[0].id}` } },
      await signDevToken(keys, { kind: 'partner', id: idOf('partner', 'Nordic Grocer') }),
    );
  };
  const thisMonth = () => {
    const now = new Date();
    return { from: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(), to: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString() };
  };

  it('a member gives 200 points: the balance, the history and the charity\'s report all show it', { timeout: 90_000 }, async () => {
    const charityId = idOf('charity', 'Red Cross Nordic');
    const charityToken = await signDevToken(keys, { kind: 'charity', id: charityId });
    const donatedBefore = async () => {
      const report = await api<{ givingReport: { rows: { kind: string; points: string }[] } }>(
        'query($c: ID!, $from: String!, $to: String!) { givingReport(charityId: $c, from: $from, to: $to, period: MONTH) { rows { kind points } } }',
        { c: charityId, ...thisMonth() },
        charityToken,
      );
      return report.givingReport.rows.filter((r) => r.kind === 'DONATION').reduce((sum, r) => sum + Number(r.points), 0);
    };
    const before = await donatedBefore();

    const { context, page } = await newPage(demoGateway);
    await check(page, 'sign-in');
    await signIn(page, 'Astrid Lund');
    await page.waitForSelector('[data-testid=balance]');
    await check(page, 'member-home');
    const shown = digits(await page.getByTestId('balance').innerText());
    expect(shown).toBeGreaterThan(200);
    // A purchase at the grocer's till while the page is open: the balance follows by itself (the page's
    // accountEvents subscription), with no reload or navigation.
    const purchase = await api<{ earnPoints: { transaction: { points: number } } }>(
      'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { points } } }',
      { input: { memberId: idOf('member', 'Astrid Lund'), purchase: { amount: '25.00', currency: 'NOK' }, reference: 'LIVE-1', idempotencyKey: `live-${Date.now()}` } },
      await signDevToken(keys, { kind: 'partner', id: idOf('partner', 'Nordic Grocer') }),
    );
    const balance = shown + purchase.earnPoints.transaction.points;
    await expect.poll(async () => digits(await page.getByTestId('balance').innerText()), { timeout: 10_000 }).toBe(balance);

    await go(page, 'Give');
    await check(page, 'member-give');
    await page.getByLabel('Cause', { exact: true }).selectOption({ label: 'Red Cross Nordic' });
    await page.getByLabel('Points to give').fill('200');
    await page.getByRole('button', { name: 'Give', exact: true }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Thank you!' }).innerText()).toContain('You gave 200 points to Red Cross Nordic');
    await expect.poll(() => page.getByTestId('giving-summary').innerText()).toContain('200 points');

    await go(page, 'Home');
    await expect.poll(async () => digits(await page.getByTestId('balance').innerText())).toBe(balance - 200);
    await go(page, 'History');
    await page.waitForSelector('[data-testid=history] li');
    await check(page, 'member-history');
    const newest = page.getByTestId('history').locator('li.history-item').first();
    expect(await newest.getAttribute('data-kind')).toBe('DONATION');
    expect(await newest.innerText()).toContain('-200');

    for (const [link, name] of [
      ['Offers and stamp cards', 'member-offers'],
      ['Profile', 'member-profile'],
    ] as const) {
      await go(page, link);
      await check(page, name);
    }
    await go(page, 'Pay with points');
    await page.getByRole('button', { name: 'Show a code' }).click();
    await page.waitForSelector('[data-testid=redemption-code]');
    expect(await page.getByTestId('countdown').innerText()).toMatch(/Expires in \d+:\d\d/);
    expect(await page.locator('.qr svg path').count()).toBeGreaterThan(0);
    await check(page, 'member-redeem');

    // On a phone, and in Norwegian.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByLabel('Language').selectOption('nb');
    await go(page, 'Hjem');
    await expect.poll(() => page.locator('main h1').innerText()).toBe('Hei, Astrid Lund');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('nb');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await check(page, 'member-home-phone-nb');
    await context.close();

    // The charity's report has the gift: the chart's bar for this month, and the newest receipt.
    expect(await donatedBefore()).toBe(before + 200);
    const charity = await newPage(demoGateway);
    await signIn(charity.page, 'Red Cross Nordic');
    await charity.page.waitForSelector('[data-testid=giving-DONATION]');
    await check(charity.page, 'charity');
    const bars = charity.page.getByTestId('giving-DONATION').locator('g.bar');
    expect(Number(await bars.last().getAttribute('data-value'))).toBe(before + 200);
    expect(await charity.page.getByTestId('receipts').locator('tbody tr').first().innerText()).toContain('200');
    await charity.context.close();
  });

  it('a charity checks its receipt chain', { timeout: 60_000 }, async () => {
    const { context, page } = await newPage(demoGateway);
    await signIn(page, 'Ocean Cleanup Fund');
    await page.getByRole('button', { name: 'Check the receipt chain' }).click();
    const result = page.getByTestId('chain-result');
    await result.waitFor();
    const verification = await api<{ verifyReceiptChain: { valid: boolean; length: string } }>(
      'query($c: ID!) { verifyReceiptChain(charityId: $c) { valid length } }',
      { c: idOf('charity', 'Ocean Cleanup Fund') },
      await signDevToken(keys, { kind: 'charity', id: idOf('charity', 'Ocean Cleanup Fund') }),
    );
    expect(verification.verifyReceiptChain.valid).toBe(true);
    expect(await result.innerText()).toContain(`The chain is intact: ${Number(verification.verifyReceiptChain.length).toLocaleString('en-GB')} receipts`);
    await check(page, 'charity-chain');
    await context.close();
  });

  it('a partner\'s settlement statement: its chart shows the statement\'s real numbers, and its CSV downloads', { timeout: 60_000 }, async () => {
    const partnerId = idOf('partner', 'Nordic Grocer');
    const statement = await api<{ settlementStatement: Record<string, { points: string }> & { pointsIssued: string } }>(
      `query($p: ID!, $from: String!, $to: String!) { settlementStatement(partnerId: $p, from: $from, to: $to) {
        pointsIssued earned { points } bonuses { points } granted { points } refunded { points } redeemed { points } donated { points } breakage { points } cashedOut { points } } }`,
      { p: partnerId, ...thisMonth() },
      await signDevToken(keys, { kind: 'partner', id: partnerId }),
    );
    expect(Number(statement.settlementStatement.earned.points)).toBeGreaterThan(0);

    const { context, page } = await newPage(demoGateway);
    await signIn(page, 'Nordic Grocer');
    await check(page, 'partner-overview');
    expect(await page.getByTestId('partner-transactions').locator('tbody tr').count()).toBeGreaterThan(0);
    await go(page, 'Statement');
    await page.waitForSelector('[data-testid=statement-chart]');
    await check(page, 'partner-statement');
    const bars = await page
      .getByTestId('statement-chart')
      .locator('g.bar')
      .evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute('data-value'))));
    const lines = ['earned', 'bonuses', 'granted', 'refunded', 'redeemed', 'donated', 'breakage', 'cashedOut'];
    expect(bars).toEqual(lines.map((line) => Number(statement.settlementStatement[line].points)));
    expect(digits(await page.getByTestId('points-issued').innerText())).toBe(Number(statement.settlementStatement.pointsIssued));
    // The bar for what was earned is drawn in proportion (the longest is the largest number).
    const widths = await page.getByTestId('statement-chart').locator('g.bar rect').evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute('width'))));
    expect(widths.indexOf(Math.max(...widths))).toBe(bars.indexOf(Math.max(...bars)));

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download as CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain(statement.settlementStatement.earned.points);
    expect(download.suggestedFilename()).toMatch(/^settlement-.*\.csv$/);

    for (const [link, name] of [
      ['Offers and campaigns', 'partner-offers'],
      ['Webhooks', 'partner-webhooks'],
    ] as const) {
      await go(page, link);
      await check(page, name);
    }
    await context.close();
  });

  it('the operator\'s programme KPIs by month, with charts, and the partners and charities', { timeout: 60_000 }, async () => {
    const { context, page } = await newPage(demoGateway);
    await signIn(page, 'Programme operator');
    await page.waitForSelector('[data-testid=kpi-summary]');
    await check(page, 'operator-kpis');
    const now = new Date();
    const kpis = await api<{ programmeKpis: { pointsEarned: string; byMonth: { pointsEarned: string }[] } }>(
      'query($from: String!, $to: String!) { programmeKpis(from: $from, to: $to) { pointsEarned byMonth { pointsEarned } } }',
      { from: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 5, 1)).toISOString(), to: new Date(Date.now() + 60_000).toISOString() },
      await signDevToken(keys, { kind: 'admin' }),
    );
    expect(digits(await page.getByTestId('kpi-earned').innerText())).toBe(Number(kpis.programmeKpis.pointsEarned));
    const earnedBars = await page
      .getByTestId('kpi-earned-chart')
      .locator('g.bar')
      .evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute('data-value'))));
    expect(earnedBars).toEqual(kpis.programmeKpis.byMonth.map((m) => Number(m.pointsEarned)));
    expect(await page.locator('figure.chart').count()).toBe(6);
    await go(page, 'Partners and charities');
    await check(page, 'operator-directory');
    expect(await page.locator('main').innerText()).toContain('Kaffe Hjørnet');
    await context.close();
  });

  it('a member sees what keeps their tier and until when (an override here)', { timeout: 60_000 }, async () => {
    const endsAt = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 5, 30)).toISOString();
    await api(
      'mutation($i: OverrideMemberTierInput!) { overrideMemberTier(input: $i) { override { id } } }',
      { i: { memberId: idOf('member', 'Bjørn Dahl'), tier: 'Gold', endsAt, reason: 'Status match', idempotencyKey: `portal-override-${Date.now()}` } },
      await signDevToken(keys, { kind: 'admin' }),
    );
    const { context, page } = await newPage(demoGateway);
    await signIn(page, 'Bjørn Dahl');
    await page.waitForSelector('#tier-heading');
    expect(await page.locator('section[aria-labelledby=tier-heading] .big-number').innerText()).toBe('Gold');
    expect(await page.locator('#tier-kept-by').innerText()).toBe('Set for you by the programme.');
    expect(await page.locator('#tier-ends').innerText()).toContain(String(new Date(endsAt).getUTCFullYear()));
    await context.close();
  });

  it('a new person signs up and sees the welcome bonus', { timeout: 60_000 }, async () => {
    const { context, page } = await newPage(demoGateway);
    await page.getByRole('button', { name: 'Join as a new member' }).click();
    await page.waitForSelector('#displayName');
    await page.getByRole('button', { name: 'Join', exact: true }).click(); // without the terms: refused in words
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('You need to accept the terms');
    const email = `nora.${randomUUID().slice(0, 8)}@example.com`;
    await page.getByLabel('Name').fill('Nora Nystart');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel(/I accept the programme terms/).check();
    await check(page, 'sign-up');
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await expect.poll(() => page.locator('main h1').innerText(), { timeout: 15_000 }).toBe('Hello, Nora Nystart');
    await firstPurchase(email);
    await expect.poll(() => page.locator('main').innerText(), { timeout: 15_000 }).toContain('You received a welcome bonus of 100 points');
    await page.reload();
    await expect.poll(async () => digits(await page.getByTestId('balance').innerText()), { timeout: 10_000 }).toBe(142);
    await check(page, 'welcome');
    await context.close();
  });

  it('signs in at an OpenID Connect provider (authorization code with PKCE), then signs up', { timeout: 60_000 }, async () => {
    const { context, page } = await newPage(oidcGateway);
    const seen: { authorize?: URL; token?: URLSearchParams } = {};
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin !== issuer) return;
      if (url.pathname.startsWith('/auth') && request.isNavigationRequest() && url.searchParams.has('client_id')) seen.authorize = url;
      if (url.pathname.startsWith('/token') && request.method() === 'POST') seen.token = new URLSearchParams(request.postData() ?? '');
    });
    await check(page, 'oidc-sign-in');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // The provider's own pages: any login, then consent.
    await page.waitForURL((url) => url.origin === issuer);
    const login = `person-${randomUUID().slice(0, 8)}`;
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.origin === origin(oidcGateway) && url.pathname === '/member');

    expect(seen.authorize?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(seen.authorize?.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(seen.token?.get('grant_type')).toBe('authorization_code');
    expect(seen.token?.get('code_verifier')).toMatch(/^[\w-]{43,128}$/);
    expect(seen.token?.has('client_secret')).toBe(false);

    // Signed in, not a member yet: the portal offers to join.
    await page.getByRole('link', { name: 'Join the programme' }).click();
    const email = `oda.${randomUUID().slice(0, 8)}@example.com`;
    await page.getByLabel('Name').fill('Oda Oidc');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel(/I accept the programme terms/).check();
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await expect.poll(() => page.locator('main h1').innerText(), { timeout: 15_000 }).toBe('Hello, Oda Oidc');
    await firstPurchase(email);
    await expect.poll(() => page.locator('main').innerText(), { timeout: 15_000 }).toContain('welcome bonus of 100 points');
    await check(page, 'oidc-member-home');
    // The member is linked to the provider's subject: the hub knows them by it.
    const linked = await hub.db.query<{ subject: string }>('SELECT subject FROM members.identity_links WHERE issuer = $1 AND subject = $2', [issuer, login]);
    expect(linked.rows).toHaveLength(1);
    await context.close();
  });

  it('sent trusted documents only: no request from the portal carried query text', () => {
    expect(graphqlBodies.length).toBeGreaterThan(20);
    for (const body of graphqlBodies) {
      const parsed = JSON.parse(body) as { query?: string; extensions?: { persistedQuery?: { sha256Hash?: string } } };
      expect(parsed.query).toBeUndefined();
      expect(parsed.extensions?.persistedQuery?.sha256Hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
