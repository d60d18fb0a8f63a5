import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { type MatchCampaignRow } from '../persistence/matching.repository';
import { CharityType } from './charity.type';
import { GivingPartnerRef } from './partner-ref.type';

@InputType('CreateMatchCampaignInput')
export class CreateMatchCampaignInput {
  @Field(() => ID, { nullable: true, description: 'Required for the admin; a partner token runs its own.' })
  partnerId?: string | null;

  @Field(() => ID)
  charityId!: string;

  @Field(() => Int, { description: 'The most points the partner matches in total.' })
  capPoints!: number;

  @Field(() => String, { nullable: true })
  startsAt?: string | null;

  @Field(() => String)
  endsAt!: string;
}

@ObjectType('MatchCampaign', { description: "A partner matching members' point donations to a charity 1:1 up to a cap." })
export class MatchCampaignType {
  @Field(() => ID)
  id!: string;

  @Field(() => GivingPartnerRef)
  partner!: GivingPartnerRef;

  @Field(() => CharityType)
  charity!: CharityType;

  @Field(() => String)
  capPoints!: string;

  @Field(() => String)
  matchedPoints!: string;

  @Field(() => String)
  startsAt!: string;

  @Field(() => String)
  endsAt!: string;

  charityId!: string;
}

export function toCampaign(c: MatchCampaignRow): MatchCampaignType {
  return Object.assign(new MatchCampaignType(), {
    id: c.id,
    partner: Object.assign(new GivingPartnerRef(), { id: c.partner_id }),
    charityId: c.charity_id,
    capPoints: c.cap_points,
    matchedPoints: c.matched,
    startsAt: c.starts_at.toISOString(),
    endsAt: c.ends_at.toISOString(),
  });
}

@ObjectType('CreateMatchCampaignPayload')
export class CreateMatchCampaignPayload {
  @Field(() => MatchCampaignType)
  campaign!: MatchCampaignType;
}
