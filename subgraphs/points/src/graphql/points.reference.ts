import { type PointsContext } from '../context';
import { PointsMemberType } from './points.type';

/** `_entities` for Member: only viewers allowed to see this member's points get an object; others null. */
export const pointsReferences = {
  Member: {
    __resolveReference(reference: { id: string }, ctx: PointsContext): PointsMemberType | null {
      if (!ctx.points.canSeeAccount(ctx.viewer, reference.id)) return null;
      return Object.assign(new PointsMemberType(), { id: reference.id });
    },
  },
};
