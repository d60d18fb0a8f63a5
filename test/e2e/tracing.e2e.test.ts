import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { buildDist } from '../support/build';
import { createTestKeys, signToken, TEST_AUDIENCE, TEST_ISSUER, type TestKeys } from '../support/keys';
import { freePort } from '../support/ports';

// Traces are set up as a process starts (before pg loads), so this test runs the compiled gateway and the
// partners subgraph as their own processes, exporting to a tiny OTLP/HTTP receiver here.
const ROOT = join(__dirname, '..', '..');

interface OtlpSpan {
  traceId: string;
  spanId: string;
  name: string;
  attributes?: { key: string; value: { stringValue?: string } }[];
}
interface Received {
  service: string;
  span: OtlpSpan;
}

const spans: Received[] = [];
let receiver: Server;
let receiverUrl: string;
let keys: TestKeys;
const children: ChildProcess[] = [];

function attribute(span: OtlpSpan, key: string): string | undefined {
  return span.attributes?.find((a) => a.key === key)?.value.stringValue;
}

beforeAll(async () => {
  await buildDist();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        for (const rs of body.resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
          for (const ss of rs.scopeSpans) for (const span of ss.spans) spans.push({ service, span });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  keys = await createTestKeys();
}, 180_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
  await new Promise((resolve) => receiver?.close(resolve));
});

function run(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [join(ROOT, 'dist', script)], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  child.once('exit', (code) => {
    if (code && code !== 0) console.error(`${script} exited ${code}:\n${output}`);
  });
  children.push(child);
  return child;
}

async function waitFor(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer`);
}

describe('OpenTelemetry traces', () => {
  it('exports spans of the gateway and a subgraph (down to its SQL) sharing one trace, with the request id', async () => {
    const base = {
      DATABASE_URL: inject('databaseUrl'),
      AUTH_ISSUER: TEST_ISSUER,
      AUTH_AUDIENCE: TEST_AUDIENCE,
      AUTH_JWKS_FILE: keys.jwksFile,
      SERVICE_SIGNING_KEY_FILE: keys.serviceKeyFile,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      RATE_LIMIT_ENABLED: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    const [partnersPort, gatewayPort] = [await freePort(), await freePort()];
    run('subgraphs/partners/src/index.js', { ...base, PORT: String(partnersPort) });
    await waitFor(`http://127.0.0.1:${partnersPort}/readyz`);
    const nowhere = 'http://127.0.0.1:9/graphql';
    run('gateway/src/index.js', {
      ...base,
      LOG_LEVEL: 'error', // the gateway runtime's own logger reads LOG_LEVEL too, and knows no 'silent'
      PORT: String(gatewayPort),
      PARTNERS_URL: `http://127.0.0.1:${partnersPort}/graphql`,
      MEMBERS_URL: nowhere,
      POINTS_URL: nowhere,
      DONATIONS_URL: nowhere,
    });
    await waitFor(`http://127.0.0.1:${gatewayPort}/healthz`);

    const requestId = `trace-${randomUUID()}`;
    const admin = await signToken(keys, { scope: 'admin' }, { subject: 'operator' });
    const response = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}`, 'x-request-id': requestId },
      body: JSON.stringify({
        query: 'mutation TracedCreatePartner($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }',
        variables: { input: { name: `Traced ${requestId}`, currency: 'NOK', earnRate: '1' } },
      }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();

    // The gateway's span of this request names the request id; its trace continues in the subgraph.
    const deadline = Date.now() + 15_000;
    let traceId: string | undefined;
    let subgraphSpans: Received[] = [];
    while (Date.now() < deadline) {
      traceId = spans.find((s) => s.service === 'gateway' && attribute(s.span, 'hub.request_id') === requestId)?.span.traceId;
      subgraphSpans = traceId ? spans.filter((s) => s.service === 'partners' && s.span.traceId === traceId) : [];
      if (subgraphSpans.some((s) => attribute(s.span, 'db.system') === 'postgresql' || attribute(s.span, 'db.system.name') === 'postgresql')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(traceId).toBeDefined();
    const gatewaySpans = spans.filter((s) => s.service === 'gateway' && s.span.traceId === traceId);
    // Probes make no traces (the test waited on /healthz).
    expect(spans.some((s) => s.service === 'gateway' && s.span.name.includes('healthz'))).toBe(false);
    // The Hive gateway's plugin: the HTTP request, the operation and the call to the subgraph.
    expect(gatewaySpans.length).toBeGreaterThanOrEqual(3);
    expect(gatewaySpans.map((s) => s.span.name)).toEqual(expect.arrayContaining(['POST /graphql', 'graphql.operation', 'graphql.execute', 'subgraph.execute (partners)']));
    expect(gatewaySpans.some((s) => attribute(s.span, 'graphql.operation.name') === 'TracedCreatePartner')).toBe(true);
    // The subgraph's HTTP server span (continued from the W3C traceparent) names the same request id,
    // and its queries hang below it.
    expect(subgraphSpans.some((s) => attribute(s.span, 'hub.request_id') === requestId)).toBe(true);
    expect(subgraphSpans.some((s) => attribute(s.span, 'db.system') === 'postgresql' || attribute(s.span, 'db.system.name') === 'postgresql')).toBe(true);
  }, 120_000);

  it('loads nothing of OpenTelemetry (beyond its no-op API) when OTEL_EXPORTER_OTLP_ENDPOINT is unset', () => {
    const probe = `
      require(${JSON.stringify(join(ROOT, 'dist', 'lib', 'src', 'tracing.js'))}).startTracing('gateway', { http: false });
      require(${JSON.stringify(join(ROOT, 'dist', 'gateway', 'src', 'gateway.js'))});
      require(${JSON.stringify(join(ROOT, 'dist', 'subgraphs', 'partners', 'src', 'subgraph.js'))});
      // The API facade alone (no-op without an SDK) is loaded by prom-client for its exemplars: not counted.
      const loaded = Object.keys(require.cache).filter((k) => /@opentelemetry[\\\\/](?!api[\\\\/])|plugin-opentelemetry/.test(k));
      process.stdout.write(JSON.stringify(loaded));`;
    const out = execFileSync(process.execPath, ['-e', probe], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([]);
  });
});
