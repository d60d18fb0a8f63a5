import { serviceViewer, type ServiceSigner } from '../../../../lib/src/service-token';
import { createSubgraphClient, type SubgraphClient } from '../../../../lib/src/subgraph-client';

const RECORD = `mutation RecordPledgeAccrual($input: RecordPledgeAccrualInput!) {
  recordPledgeAccrual(input: $input) { eventId outcome }
}`;

const RECORD_MANY = `mutation RecordPledgeAccruals($input: RecordPledgeAccrualsInput!) {
  recordPledgeAccruals(input: $input) { results { eventId } }
}`;

/** One earn event of the ledger's outbox, as the donations subgraph's pledges consume it. */
export interface EarnEvent {
  eventId: string;
  kind: 'EARN' | 'EARN_REVERSAL';
  earnId: string;
  partnerId: string;
  memberId: string;
  purchaseMinor: string;
  currency: string;
  occurredAt: string;
}

/**
 * The donations subgraph as points calls it: the internal `recordPledgeAccrual` (and `recordPledgeAccruals`, a round at once), under the hub's service
 * credential (pledges:record). The consumer is idempotent on the event id.
 */
export class DonationsClient {
  constructor(
    private readonly subgraph: SubgraphClient,
    private readonly signer: ServiceSigner,
  ) {}

  async recordPledgeAccrual(event: EarnEvent, requestId: string): Promise<void> {
    const viewer = await serviceViewer(this.signer, 'points', 'pledges:record');
    await this.subgraph.request(RECORD, { input: event }, viewer, requestId);
  }

  /** A relay round's events in one call and one transaction of the consumer (all or nothing, at most 200). */
  async recordPledgeAccruals(events: readonly EarnEvent[], requestId: string): Promise<void> {
    const viewer = await serviceViewer(this.signer, 'points', 'pledges:record');
    await this.subgraph.request(RECORD_MANY, { input: { events } }, viewer, requestId);
  }
}

export function createDonationsClient(url: string, signer: ServiceSigner): DonationsClient {
  return new DonationsClient(createSubgraphClient(url), signer);
}
