import { type DataSource } from 'typeorm';
import { type HubMetrics } from '../../../../lib/src/metrics';
import { pendingDonations } from '../persistence/backlog.repository';

/** The donation reconciler's backlog for Prometheus, read at each scrape: PENDING donations and the oldest one's age. */
export function registerDonationMetrics(metrics: HubMetrics, dataSource: DataSource): void {
  metrics.collectedGauge('hub_donations_pending', 'Donations still PENDING (the reconciler drives them to their outcome)', [], async (gauge) => {
    gauge.set((await pendingDonations(dataSource.manager)).count);
  });
  metrics.collectedGauge('hub_donations_pending_oldest_age_seconds', 'Age of the oldest PENDING donation (0: none)', [], async (gauge) => {
    gauge.set((await pendingDonations(dataSource.manager)).oldestAgeSeconds);
  });
}
