import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { type Award } from '../domain/award.rules';
import { PartnerRefType, toInt } from './points.type';

export enum AwardKind {
  BASE = 'BASE',
  TIER = 'TIER',
  CAMPAIGN = 'CAMPAIGN',
  CATEGORY = 'CATEGORY',
  OFFER = 'OFFER',
  STAMP_CARD = 'STAMP_CARD',
  MEMBERSHIP = 'MEMBERSHIP',
  WELCOME = 'WELCOME',
  REFERRAL = 'REFERRAL',
  BIRTHDAY = 'BIRTHDAY',
  GOODWILL = 'GOODWILL',
  GAME = 'GAME',
}
registerEnumType(AwardKind, { name: 'AwardKind', description: 'The rule that gave points.' });

@ObjectType('PointsAward', { description: "Why the member got points: one rule's share of a transaction. A transaction's awards add up to its points." })
export class PointsAwardType {
  @Field(() => AwardKind)
  kind!: AwardKind;

  @Field(() => Int, { description: 'Points this rule gave (negative on a reversal).' })
  points!: number;

  @Field(() => PartnerRefType, { nullable: true, description: "The partner paying for these points at its issue price; null: the coalition's marketing budget." })
  fundedBy!: PartnerRefType | null;

  @Field(() => ID, { nullable: true, description: "The rule's id: a campaign's, an offer's, a stamp card's, a category rate's..." })
  ruleId!: string | null;
}

export function toAwardType(a: Award): PointsAwardType {
  return Object.assign(new PointsAwardType(), {
    kind: a.kind as AwardKind,
    points: toInt(a.points),
    fundedBy: a.fundedBy ? Object.assign(new PartnerRefType(), { id: a.fundedBy }) : null,
    ruleId: a.ruleId,
  });
}
