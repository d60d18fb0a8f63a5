import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { type Logger } from '../../../../lib/src';
import { type MembersPointsClient } from '../clients/points.client';
import { claimDueRegistrations, deferRegistrations, markRegistrationsSent } from '../persistence/registrations.repository';

/** Registrations sent per call to the ledger. */
const BATCH = 100;
/** Batches per run at most (a backlog drains over several ticks rather than in one endless run). */
const MAX_BATCHES_PER_RUN = 50;

/**
 * The registration relay: tells the points subgraph each new member's facts (when and by which partner
 * they joined, who referred them, their birthday), and again whenever the birth date changes, from the
 * outbox the enrolment wrote in its own transaction. Exactly once in effect: a row is claimed with SKIP
 * LOCKED (instances never send one at once), the ledger's `registerMembers` is idempotent by member and
 * version, and the row is marked sent only after the ledger answered; a failure leaves it due again after
 * a backoff. Enrolment kicks a run at once, so a new member's welcome bonus follows within moments; the
 * periodic run is the safety net for what a crash or an unreachable ledger left.
 */
export class RegistrationRelayService {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly points: MembersPointsClient,
    private readonly logger: Logger,
    private readonly maxRetryDelaySeconds = 60,
  ) {}

  /** Sends what is due now; answers how many registrations the ledger took. */
  async relay(): Promise<number> {
    let sent = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const n = await this.relayBatch();
      sent += n;
      if (n < BATCH) break;
    }
    return sent;
  }

  /** Runs the relay soon, without waiting (after an enrolment commits). A kick during a run runs it once more. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.relay()
      .then(() => undefined, (error: unknown) => this.logger.warn('registration relay failed', { error }))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Waits for a kicked run (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = await claimDueRegistrations(manager, BATCH);
      if (due.length === 0) return 0;
      try {
        await this.points.registerMembers(due, `registration-${randomUUID()}`);
      } catch (error) {
        await deferRegistrations(manager, due.map((r) => r.memberId), this.maxRetryDelaySeconds, error instanceof Error ? error.message : String(error));
        this.logger.warn('ledger registration failed; will retry', { members: due.length, error });
        return 0;
      }
      await markRegistrationsSent(manager, due);
      return due.length;
    });
  }
}
