import { badInput, forbidden, notFound } from './errors';
import { instant, isUuid } from './validation';
import { isAdmin } from './viewer';
import { type Viewer } from './auth';

/**
 * The programme KPIs' period and scope, shared by the subgraphs that each contribute their fields to the
 * federated `ProgrammeKpis` entity: points resolves `programmeKpis` and the ledger's figures, members its
 * member counts and donations its giving, each from its own tables, for the entity's `id`, which encodes
 * the period and the partner (or the whole coalition). Every subgraph checks the caller again on the id.
 */
export interface KpiScope {
  from: Date;
  to: Date;
  /** One partner's figures, or null for the whole coalition (admin only). */
  partnerId: string | null;
}

/** A KPI period is a report, not a scan of the whole ledger. */
export const KPI_MAX_DAYS = 400;

const ALL = 'coalition';

/** The entity id of a scope: `<from>~<to>~<partner id | coalition>`. */
export function kpiId(scope: KpiScope): string {
  return `${scope.from.toISOString()}~${scope.to.toISOString()}~${scope.partnerId ?? ALL}`;
}

/** The scope an id names, or null when the id is not one this hub made. */
export function parseKpiId(id: string): KpiScope | null {
  const parts = id.split('~');
  if (parts.length !== 3) return null;
  const from = Date.parse(parts[0]);
  const to = Date.parse(parts[1]);
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from || to - from > KPI_MAX_DAYS * 86_400_000) return null;
  if (parts[2] !== ALL && !isUuid(parts[2])) return null;
  return { from: new Date(from), to: new Date(to), partnerId: parts[2] === ALL ? null : parts[2].toLowerCase() };
}

/**
 * The scope a caller asks for. The admin: any partner, or the coalition when `partnerId` is omitted; a
 * partner token with reports:read: its own (also when omitted). Another partner's id answers NOT_FOUND,
 * exactly as a missing partner does (the caller checks that an admin's partner exists).
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND.
 */
export function kpiScope(viewer: Viewer, fromInput: string, toInput: string, partnerIdInput: string | null): KpiScope {
  if (!isAdmin(viewer) && !(viewer.scopes.has('reports:read') && viewer.partnerId)) throw forbidden('Requires a partner token with reports:read, or admin');
  const from = instant('from', fromInput);
  const to = instant('to', toInput);
  if (to.getTime() <= from.getTime()) throw badInput('to', 'must be later than from');
  if (to.getTime() - from.getTime() > KPI_MAX_DAYS * 86_400_000) throw badInput('to', `must be at most ${KPI_MAX_DAYS} days after from`);
  if (partnerIdInput == null) return { from, to, partnerId: isAdmin(viewer) ? null : viewer.partnerId! };
  if (isAdmin(viewer) && !isUuid(partnerIdInput)) throw badInput('partnerId', 'must be a valid id');
  const partnerId = isUuid(partnerIdInput) ? partnerIdInput.toLowerCase() : null;
  if (!partnerId || (!isAdmin(viewer) && partnerId !== viewer.partnerId)) throw notFound('Partner');
  return { from, to, partnerId };
}

/** Whether the caller may read the figures of `scope` (the check every subgraph repeats on an entity id). */
export function canReadKpis(viewer: Viewer, scope: KpiScope): boolean {
  if (isAdmin(viewer)) return true;
  return viewer.scopes.has('reports:read') && !!viewer.partnerId && scope.partnerId === viewer.partnerId;
}

/** The calendar months (UTC) the period touches, each clipped to the period, oldest first. */
export function kpiMonths(scope: KpiScope): KpiScope[] {
  const months: KpiScope[] = [];
  let start = scope.from;
  while (start < scope.to) {
    const next = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    const end = next < scope.to ? next : scope.to;
    months.push({ from: start, to: end, partnerId: scope.partnerId });
    start = end;
  }
  return months;
}

/** The month key ("YYYY-MM", UTC) a time falls in. */
export function monthKey(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/** numerator / denominator as a decimal string with `places` places, rounded half up; "0" when the denominator is 0. */
export function ratio(numerator: bigint, denominator: bigint, places = 4): string {
  if (denominator === 0n) return '0';
  const negative = numerator < 0n !== denominator < 0n && numerator !== 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const scale = 10n ** BigInt(places);
  const scaled = (n * scale * 2n + d) / (2n * d);
  const whole = scaled / scale;
  const fraction = (scaled % scale).toString().padStart(places, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
