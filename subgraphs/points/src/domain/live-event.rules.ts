/**
 * Rules of live updates (the `accountEvents` and `partnerEvents` subscriptions): what one event, as the
 * outbox announces it, looks like, and who hears it; shared with the gateway's event stream (lib).
 */
export { hears, parseLiveEvent, type LiveAudience, type LiveEvent } from '../../../../lib/src/live-event';
