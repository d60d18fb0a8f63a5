import { PartnerRefType, PointsMemberType } from './points.type';

/**
 * `_entities` for Member: the id alone reveals nothing, so it always resolves; the `points` field then
 * refuses viewers who may not see them (FORBIDDEN with a path, rather than an unexplained null).
 */
export const pointsReferences = {
  Member: {
    __resolveReference(reference: { id: string }): PointsMemberType {
      return Object.assign(new PointsMemberType(), { id: reference.id });
    },
  },
  // Partner: the id alone reveals nothing; `transactions` answers only the partner itself and the admin.
  Partner: {
    __resolveReference(reference: { id: string }): PartnerRefType {
      return Object.assign(new PartnerRefType(), { id: reference.id });
    },
  },
};
