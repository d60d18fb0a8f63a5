import { type EntityManager } from 'typeorm';
import { pageAfter, sql, type Page } from '../../../../lib/src';
import { OfferEntity } from './partner.entity';

/**
 * Partners' offers. It decides nothing: the offers service decides who manages an offer and which
 * offers a caller may see (an OfferVisibility), validated against the database clock (`databaseNow`).
 */

/**
 * Which offers a read returns: every one (`all`), the published ones (not retired, inside their
 * validity window now, of an active partner), or the published ones and all of one partner's.
 */
export type OfferVisibility = { kind: 'all' } | { kind: 'published' } | { kind: 'publishedOr'; partnerId: string } | { kind: 'notEnded' };

/** Published: not retired, inside its validity window now, and its partner is active. */
const PUBLISHED = `r.active AND r.valid_from <= now() AND (r.valid_to IS NULL OR r.valid_to > now())
  AND r.partner_id IN (SELECT p.id FROM partners p WHERE p.status = 'ACTIVE')`;

/** Not retired, not ended, of an active partner: published, or to be published (early access, asked by the points service only). */
const NOT_ENDED = `r.active AND (r.valid_to IS NULL OR r.valid_to > now())
  AND r.partner_id IN (SELECT p.id FROM partners p WHERE p.status = 'ACTIVE')`;

function visibleWhere(visibility: OfferVisibility): { where: string; params: Record<string, unknown> } {
  if (visibility.kind === 'all') return { where: 'true', params: {} };
  if (visibility.kind === 'notEnded') return { where: NOT_ENDED, params: {} };
  if (visibility.kind === 'publishedOr') return { where: `${PUBLISHED} OR r.partner_id = :viewerPartner`, params: { viewerPartner: visibility.partnerId } };
  return { where: PUBLISHED, params: {} };
}

/** The database's clock, which decides validity windows everywhere. */
export async function databaseNow(manager: EntityManager): Promise<Date> {
  const { rows } = await sql<{ now: Date }>(manager, 'SELECT now() AS now');
  return rows[0].now;
}

export async function insertOffer(
  manager: EntityManager,
  o: {
    partnerId: string;
    kind: string;
    title: string;
    description: string | null;
    points: number | null;
    multiplier: string | null;
    validFrom: Date;
    validTo: Date | null;
    minTier: string | null;
    usesPerMember: number;
    segmentId: string | null;
  },
): Promise<string> {
  const { rows } = await sql<{ id: string }>(
    manager,
    `INSERT INTO offers (partner_id, title, description, kind, points, multiplier, valid_from, valid_to, min_tier, uses_per_member, segment_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [o.partnerId, o.title, o.description, o.kind, o.points, o.multiplier, o.validFrom, o.validTo, o.minTier, o.usesPerMember, o.segmentId],
  );
  return rows[0].id;
}

/**
 * Changes an offer's given fields: null or undefined leaves title, points, multiplier and validFrom as
 * they are; for the clearable ones (description, validTo, minTier, segmentId) undefined leaves it and null clears it.
 */
export async function updateOffer(
  manager: EntityManager,
  id: string,
  change: { title?: string | null; description?: string | null; points?: number | null; multiplier?: string | null; validFrom?: Date | null; validTo?: Date | null; minTier?: string | null; segmentId?: string | null },
): Promise<void> {
  await sql(
    manager,
    `UPDATE offers SET title = coalesce($2, title),
            description = CASE WHEN $3 THEN $4 ELSE description END,
            points = coalesce($5, points), multiplier = coalesce($6, multiplier),
            valid_from = coalesce($7, valid_from),
            valid_to = CASE WHEN $8 THEN $9 ELSE valid_to END,
            min_tier = CASE WHEN $10 THEN $11 ELSE min_tier END,
            segment_id = CASE WHEN $12 THEN $13::uuid ELSE segment_id END,
            updated_at = now()
      WHERE id = $1`,
    [
      id,
      change.title ?? null,
      change.description !== undefined,
      change.description ?? null,
      change.points ?? null,
      change.multiplier ?? null,
      change.validFrom ?? null,
      change.validTo !== undefined,
      change.validTo ?? null,
      change.minTier !== undefined,
      change.minTier ?? null,
      change.segmentId !== undefined,
      change.segmentId ?? null,
    ],
  );
}

/** Retires an active offer for good (a retired one stays as it is). */
export async function retireOffer(manager: EntityManager, id: string): Promise<void> {
  await sql(manager, 'UPDATE offers SET active = false, retired_at = now(), updated_at = now() WHERE id = $1 AND active', [id]);
}

/** The offer, its row locked until the caller's transaction ends; null when missing. */
export async function lockOffer(manager: EntityManager, id: string): Promise<OfferEntity | null> {
  return manager.getRepository(OfferEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
}

export async function findOffer(manager: EntityManager, id: string): Promise<OfferEntity | null> {
  return manager.getRepository(OfferEntity).findOneBy({ id });
}

/** The offer if `visibility` lets it through, else null. */
export async function findVisibleOffer(manager: EntityManager, id: string, visibility: OfferVisibility): Promise<OfferEntity | null> {
  const query = manager.getRepository(OfferEntity).createQueryBuilder('r').where('r.id = :offerId', { offerId: id });
  const visible = visibleWhere(visibility);
  query.andWhere(`(${visible.where})`, visible.params);
  return query.getOne();
}

/** Offers oldest first that `visibility` lets through (of one partner, or any when null), a page after the cursor `after`. */
export async function offerPage(
  manager: EntityManager,
  visibility: OfferVisibility,
  options: { partnerId: string | null; first: number; after?: string | null },
): Promise<Page<OfferEntity>> {
  const visible = visibleWhere(visibility);
  const partnerId = options.partnerId;
  return pageAfter(manager.getRepository(OfferEntity), {
    table: 'offers',
    timeProperty: 'createdAt',
    timeColumn: 'created_at',
    first: options.first,
    after: options.after,
    filter: {
      where: `(${visible.where})${partnerId ? ' AND r.partner_id = :partnerId' : ''}`,
      params: { ...visible.params, ...(partnerId ? { partnerId } : {}) },
    },
  });
}
