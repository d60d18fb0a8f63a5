/**
 * The load generator: autocannon, run as its own process so it never shares an event loop with the hub.
 * Every virtual client runs its own flow (its own tokens and bodies; no two clients send identical
 * requests). A flow is one or more steps sent in order, again and again; a step may save a field of its
 * answer for the steps after it (a redemption code, then a hold id).
 * Input: the path of a JSON file (a Job). Output: one JSON line of figures, where `throughput` counts
 * completed flows per second and a flow whose answer carries GraphQL errors counts as an error.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface Step {
  token: string;
  /** A JSON body; `{{SEQ}}` becomes a value unique to this request, `{{name}}` a value saved by an earlier step. */
  body: string;
  /** Saves a field of the answer's `data` (a dotted path) under a name, for the steps that follow. */
  save?: Record<string, string>;
}

export interface Job {
  url: string;
  connections: number;
  durationMs: number;
  /** Client i runs flows[i % flows.length]. */
  flows: Step[][];
}

export interface Figures {
  requests: number;
  throughput: number;
  p50: number;
  p99: number;
  errors: number;
  /** The first failed answer, for the report: a benchmark that measures errors measures nothing. */
  firstError?: string;
  /**
   * CPU time per completed flow (ms) of the hub's processes and of the embedded PostgreSQL server (its
   * postmaster and backends), from /proc, over the run: what a flow costs, which a shared box's load
   * does not change the way it changes flows per second. Absent where /proc or the server is not ours.
   */
  hubCpuMsPerFlow?: number;
  dbCpuMsPerFlow?: number;
  /** `--mode processes`: CPU of the gateway that answered (the hub's gateway process, or the bench process hosting a peer). */
  frontCpuMsPerFlow?: number;
}

type Context = Record<string, string>;

function pick(value: unknown, path: string): string | undefined {
  let at = value;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === 'string' ? at : undefined;
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Job;
  let clients = 0;
  let sequence = 0;
  let failed = 0;
  let firstError: string | undefined;
  const stepsPerFlow = Math.max(...job.flows.map((f) => f.length));
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.durationMs / 1000,
    method: 'POST',
    setupClient(client) {
      const flow = job.flows[clients++ % job.flows.length];
      client.setRequests(
        flow.map((step) => ({
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${step.token}` },
          setupRequest(request, context: object) {
            const body = step.body.replace(/\{\{(\w+)\}\}/g, (_, name: string) => (name === 'SEQ' ? `${process.pid}-${++sequence}` : ((context as Context)[name] ?? '')));
            return { ...request, body };
          },
          onResponse(status, body, context: object) {
            let parsed: { data?: unknown; errors?: unknown } = {};
            try {
              parsed = JSON.parse(body) as typeof parsed;
            } catch {
              // counted below
            }
            if (status !== 200 || parsed.errors || !parsed.data) {
              failed++;
              firstError ??= `${status} ${body.slice(0, 300)}`;
              return;
            }
            for (const [name, path] of Object.entries(step.save ?? {})) (context as Context)[name] = pick(parsed.data, path) ?? '';
          },
        })),
      );
    },
  });
  const flows = result.requests.total / stepsPerFlow;
  const figures: Figures = {
    requests: result.requests.total,
    throughput: Math.round(flows / (result.duration || job.durationMs / 1000)),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: failed + result.errors + result.timeouts,
    ...(firstError ? { firstError } : {}),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
