import { runEvery, type Logger } from '../../../../lib/src';
import { type RegistrationRelayService } from '../services/registration.service';

/**
 * Sends the ledger registrations that are due every `intervalMs` (0: never): those a crash, a restart
 * or an unreachable points subgraph left behind (enrolment sends its own at once). Returns the stop function.
 */
export function startRegistrationRelay(relay: RegistrationRelayService, intervalMs: number, logger: Logger): () => Promise<void> {
  return runEvery(intervalMs, () => relay.relay(), (error) => logger.warn('registration relay failed', { error }));
}
