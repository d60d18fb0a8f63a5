/**
 * A load generator, run as its own process so it never shares an event loop with the hub. Each
 * virtual client sends its own request body and token (no two clients send identical requests).
 * Input: the path of a JSON file { url, connections, durationMs, requests: [{ token, body }] } where
 * requests[i % requests.length] is client i's request. Output: one JSON line of figures.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

interface Job {
  url: string;
  connections: number;
  durationMs: number;
  requests: { token: string; body: string }[];
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Job;
  const url = new URL(job.url);
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const latencies: number[] = [];
  let errors = 0;
  let sequence = 0;
  const send = (token: string, body: string) =>
    new Promise<boolean>((resolve) => {
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(res.statusCode === 200 && !Buffer.concat(chunks).toString('utf8').includes('"errors"')));
        },
      );
      req.on('error', () => resolve(false));
      req.end(body);
    });
  const deadline = Date.now() + job.durationMs;
  const client = async (index: number) => {
    while (Date.now() < deadline) {
      const template = job.requests[(index + sequence++ * job.connections) % job.requests.length];
      const body = template.body.replaceAll('$SEQ', `${process.pid}-${index}-${sequence}`);
      const started = performance.now();
      const ok = await send(template.token, body);
      latencies.push(performance.now() - started);
      if (!ok) errors++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: job.connections }, (_, i) => client(i)));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0).toFixed(2));
  agent.destroy();
  process.stdout.write(`${JSON.stringify({ requests: latencies.length, throughput: Math.round(latencies.length / seconds), p50: at(0.5), p99: at(0.99), errors })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
