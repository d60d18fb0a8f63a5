import { randomBytes } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { badInput, forbidden, isAdmin, isSelf, notFound, recordAudit, type Logger, type Viewer } from '../../../../lib/src';
import { type MemberConsentsClient } from '../clients/member-consents.client';
import { urlProblem, type WebhookSender } from '../clients/webhook.client';
import { retryDelayMs, shouldDisable, WEBHOOK_EVENT_TYPES, type DisablePolicy, type RetryPolicy, type UrlPolicy } from '../domain/webhook.rules';
import {
  claimDueDeliveries,
  claimUnfannedEvents,
  disableEndpoint,
  enableEndpoint,
  endpointDeliveries,
  fanOutEvents,
  findDelivery,
  findEndpoint,
  insertEndpoint,
  markDeliveriesDelivered,
  memberNotices,
  partnerEndpoints,
  recordDeliveryFailure,
  releaseDeliveries,
  requeueDelivery,
  type ClaimedDelivery,
  type DeliveryRow,
  type EndpointRow,
  type NoticeRow,
} from '../persistence/webhooks.repository';

export interface WebhookConfig {
  urlPolicy: UrlPolicy;
  retry: RetryPolicy;
  disable: DisablePolicy;
  /** How long a claimed delivery is an instance's before another may take it (a dead instance's work). */
  leaseMs: number;
  /** Deliveries sent at once by one instance. */
  concurrency: number;
}

/**
 * Partner webhooks and member notices. Who may do what:
 * - a partner with reports:read manages and reads its own endpoints and their delivery logs; the admin
 *   does so for any partner (naming it when creating one);
 * - a member and the admin read the member's notices.
 */
export class WebhooksService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: WebhookConfig,
  ) {}

  /** The partner the viewer acts for: its own (reports:read), or the one the admin names. */
  private partnerFor(viewer: Viewer, partnerId: string | null | undefined): string {
    if (isAdmin(viewer)) {
      if (!partnerId) throw badInput('partnerId', 'the admin names the partner');
      return partnerId;
    }
    if (!viewer.partnerId || !viewer.scopes.has('reports:read')) throw forbidden('Requires a partner token with scope reports:read');
    if (partnerId && partnerId !== viewer.partnerId) throw forbidden('A partner manages its own webhooks only');
    return viewer.partnerId;
  }

  /** An endpoint the viewer may manage (NOT_FOUND for another partner's, as for a missing one). */
  async endpoint(viewer: Viewer, id: string): Promise<EndpointRow> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await findEndpoint(this.dataSource.manager, id) : null;
    if (!row) throw notFound('Webhook endpoint');
    if (!isAdmin(viewer) && this.partnerFor(viewer, null) !== row.partner_id) throw notFound('Webhook endpoint');
    return row;
  }

  async create(viewer: Viewer, input: { url: string; events: string[]; partnerId?: string | null }): Promise<{ endpoint: EndpointRow; secret: string }> {
    const partnerId = this.partnerFor(viewer, input.partnerId);
    if (input.events.length === 0) throw badInput('events', 'names at least one event type');
    const unknown = input.events.find((e) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(e));
    if (unknown) throw badInput('events', `unknown event type ${JSON.stringify(unknown.slice(0, 60))}; known: ${WEBHOOK_EVENT_TYPES.join(', ')}`);
    const problem = await urlProblem(input.url, this.config.urlPolicy);
    if (problem) throw badInput('url', `The URL ${problem}`);
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const endpoint = await this.dataSource.transaction(async (manager) => {
      const row = await insertEndpoint(manager, partnerId, input.url, [...new Set(input.events)], secret);
      await recordAudit(manager, viewer, row.id);
      return row;
    });
    return { endpoint, secret };
  }

  async endpoints(viewer: Viewer, partnerId: string | null | undefined): Promise<EndpointRow[]> {
    return partnerEndpoints(this.dataSource.manager, this.partnerFor(viewer, partnerId));
  }

  /** The delivery log of an endpoint already authorised (see endpoint). */
  async deliveries(endpointId: string, first: number): Promise<DeliveryRow[]> {
    return endpointDeliveries(this.dataSource.manager, endpointId, Math.min(Math.max(first, 1), 100));
  }

  /** Sends a delivery again, with its webhook-id (any status; a disabled endpoint's waits until enabled). */
  async redeliver(viewer: Viewer, deliveryId: string): Promise<DeliveryRow> {
    const row = await findDelivery(this.dataSource.manager, deliveryId);
    if (!row || (!isAdmin(viewer) && this.partnerFor(viewer, null) !== row.partner_id)) throw notFound('Webhook delivery');
    await this.dataSource.transaction(async (manager) => {
      await requeueDelivery(manager, deliveryId);
      await recordAudit(manager, viewer, row.endpoint_id);
    });
    return (await findDelivery(this.dataSource.manager, deliveryId))!;
  }

  /** Turns a disabled endpoint back on: its pending deliveries go out again. */
  async enable(viewer: Viewer, endpointId: string): Promise<EndpointRow> {
    const row = await this.endpoint(viewer, endpointId);
    await this.dataSource.transaction(async (manager) => {
      await enableEndpoint(manager, row.id);
      await recordAudit(manager, viewer, row.id);
    });
    return (await findEndpoint(this.dataSource.manager, row.id))!;
  }

  async notices(viewer: Viewer, memberId: string, first: number): Promise<NoticeRow[]> {
    if (!isAdmin(viewer) && !isSelf(viewer, memberId)) throw forbidden('Notices: the member and the admin only');
    return memberNotices(this.dataSource.manager, memberId, Math.min(Math.max(first, 1), 100));
  }
}

/**
 * Delivers the event outbox to partners' webhooks, on every points instance at once (jobs/webhook-delivery.job.ts):
 * fan-out claims outbox rows with SKIP LOCKED, and deliveries are leased (claimDueDeliveries), so each is sent
 * by one instance at a time; a crash sends it again after the lease (at least once, same webhook-id).
 */
export class WebhookDeliveryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sender: WebhookSender,
    private readonly consents: Pick<MemberConsentsClient, 'sharingWithPartners'>,
    private readonly config: WebhookConfig,
    readonly logger: Logger,
    private readonly random: () => number = Math.random,
  ) {}

  /** One round: fan out new events, then send what is due. Returns how many deliveries were attempted. */
  async round(batch = 500): Promise<{ fannedOut: number; attempted: number }> {
    const fannedOut = await this.fanOut(batch);
    const claimed = await claimDueDeliveries(this.dataSource.manager, batch, this.config.leaseMs);
    if (claimed.length === 0) return { fannedOut, attempted: 0 };
    // One lane per endpoint and member, in id order; lanes run side by side.
    const lanes = new Map<string, ClaimedDelivery[]>();
    for (const d of claimed) {
      const key = d.member_id ? `${d.endpoint_id}/${d.member_id}` : `${d.endpoint_id}/#${d.id}`;
      const lane = lanes.get(key) ?? [];
      lane.push(d);
      lanes.set(key, lane);
    }
    const delivered: string[] = [];
    const codes: number[] = [];
    const released: string[] = [];
    let attempted = 0;
    const queue = [...lanes.values()];
    const worker = async () => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) {
        for (let i = 0; i < lane.length; i++) {
          const d = lane[i];
          attempted++;
          const outcome = await this.sender.send({ url: d.url, secret: d.secret, id: d.event_id, type: d.type, occurredAt: d.occurred_at, data: d.payload });
          if (outcome.ok) {
            delivered.push(d.id);
            codes.push(outcome.status);
            continue;
          }
          await this.failed(d, outcome.error, outcome.status);
          released.push(...lane.slice(i + 1).map((x) => x.id));
          break;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.config.concurrency, queue.length) }, worker));
    await markDeliveriesDelivered(this.dataSource.manager, delivered, codes);
    await releaseDeliveries(this.dataSource.manager, released);
    return { fannedOut, attempted };
  }

  /**
   * Claims new outbox events, asks the members subgraph which of their members consent to partner data
   * sharing (member events only; a failure leaves the events for the next round), and fans them out.
   */
  private async fanOut(batch: number): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const events = await claimUnfannedEvents(manager, batch);
      if (events.length === 0) return 0;
      const members = [...new Set(events.filter((e) => e.partner_id === null && e.member_id).map((e) => e.member_id!))];
      const sharing = members.length > 0 ? await this.consents.sharingWithPartners(members) : new Set<string>();
      await fanOutEvents(manager, events.map((e) => e.id), [...sharing]);
      return events.length;
    });
  }

  private async failed(d: ClaimedDelivery, error: string, status: number | null): Promise<void> {
    const now = new Date();
    const retryAt = new Date(now.getTime() + retryDelayMs(d.attempts + 1, this.config.retry, this.random));
    // Retried for at least the window: only an attempt made after it gives up.
    const giveUp = now.getTime() - d.created_at.getTime() >= this.config.retry.windowMs;
    const run = await recordDeliveryFailure(this.dataSource.manager, d.id, d.endpoint_id, error, status, giveUp ? null : retryAt);
    if (run && shouldDisable(run.consecutive_failures, run.failing_since, now, this.config.disable)) {
      const reason = `${run.consecutive_failures} failed attempts in a row since ${run.failing_since.toISOString()}; last: ${error}`;
      await disableEndpoint(this.dataSource.manager, d.endpoint_id, reason);
      this.logger.warn('webhook endpoint disabled', { endpoint: d.endpoint_id, reason });
    }
  }
}
