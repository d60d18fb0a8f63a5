import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { addressProblem, urlShapeProblem, type UrlPolicy } from '../domain/webhook.rules';

/** One signed POST to a partner's endpoint. */
export interface WebhookMessage {
  url: string;
  secret: string;
  /** webhook-id: the event's stable id, the same on every attempt and redelivery. */
  id: string;
  type: string;
  occurredAt: Date;
  data: Record<string, unknown>;
}

export type SendOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** Resolves every address of `host` (an IP literal resolves to itself). */
export function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses: LookupAddress[]) => (error ? reject(error) : resolve(addresses.map((a) => a.address))));
  });
}

/** Why the URL may not receive webhooks (shape, then every address it resolves to now), or null. */
export async function urlProblem(raw: string, policy: UrlPolicy): Promise<string | null> {
  const shape = urlShapeProblem(raw, policy);
  if (shape) return shape;
  const url = new URL(raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = await resolveAll(host);
  } catch {
    return 'does not resolve';
  }
  return addressProblem(url, addresses, policy);
}

class RefusedAddress extends Error {}

/**
 * Sends webhooks per the Standard Webhooks specification (webhook-id, webhook-timestamp, webhook-signature,
 * signed by its library). The address is checked at delivery time, inside the connection's own lookup, so
 * the address checked is the address connected to (a name that changed to a private address since
 * registration is refused: no SSRF by DNS rebinding). Redirects are not followed; 2xx is success.
 */
export class WebhookSender {
  constructor(
    private readonly policy: UrlPolicy,
    private readonly timeoutMs: number,
  ) {}

  async send(message: WebhookMessage): Promise<SendOutcome> {
    const shape = urlShapeProblem(message.url, this.policy);
    if (shape) return { ok: false, status: null, error: `refused: URL ${shape}` };
    const url = new URL(message.url);
    // A literal address connects without a lookup: it is checked here instead.
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal) !== 0) {
      const problem = addressProblem(url, [literal], this.policy);
      if (problem) return { ok: false, status: null, error: `refused: URL ${problem}` };
    }
    const body = JSON.stringify({ type: message.type, timestamp: message.occurredAt.toISOString(), data: message.data });
    const timestamp = new Date();
    const signature = new Webhook(message.secret).sign(message.id, timestamp, body);
    const policy = this.policy;
    const lookup: LookupFunction = (hostname, options, callback) => {
      dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, '', 4);
        const problem = addressProblem(url, addresses.map((a) => a.address), policy);
        if (problem) return callback(new RefusedAddress(`refused: URL ${problem}`), '', 4);
        if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      });
    };
    const options: RequestOptions = {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'user-agent': 'coalition-hub-webhooks/1',
        'webhook-id': message.id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      },
      lookup,
      timeout: this.timeoutMs,
    };
    return new Promise<SendOutcome>((resolve) => {
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `HTTP ${status}` });
        });
        res.on('error', (error) => resolve({ ok: false, status: res.statusCode ?? null, error: error.message }));
      });
      req.on('timeout', () => req.destroy(new Error(`timed out after ${this.timeoutMs} ms`)));
      req.on('error', (error) => resolve({ ok: false, status: null, error: error instanceof RefusedAddress ? error.message : `connection failed: ${error.message}` }));
      req.end(body);
    });
  }
}
