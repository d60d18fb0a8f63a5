import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { type WelcomeRuleRow } from '../persistence/bonuses.repository';

@InputType('MemberRegistrationInput')
export class MemberRegistrationInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => Int, { description: 'Bumped by the members subgraph whenever the facts change; an older version never overwrites a newer one.' })
  version!: number;

  @Field(() => String, { description: 'When the member joined (ISO 8601 with a zone).' })
  enrolledAt!: string;

  @Field(() => ID, { nullable: true })
  enrolledByPartnerId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The member whose referral code the member joined with.' })
  referredBy?: string | null;

  @Field(() => Int, { nullable: true })
  birthMonth?: number | null;

  @Field(() => Int, { nullable: true })
  birthDay?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'The member consents to marketing (personal offers); absent: not given.' })
  marketingConsent?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'The member consents to partner data sharing; absent: not given.' })
  partnerDataSharing?: boolean | null;

  @Field(() => String, { nullable: true, description: 'City of the store the member enrolled at (segments).' })
  enrolledCity?: string | null;
}

@InputType('RegisterMembersInput')
export class RegisterMembersInput {
  @Field(() => [MemberRegistrationInput])
  members!: MemberRegistrationInput[];
}

@ObjectType('MemberRegistrations')
export class MemberRegistrationsType {
  @Field(() => Int, { description: 'Members the ledger had not known before.' })
  registered!: number;
}

@InputType('SetWelcomeBonusInput')
export class SetWelcomeBonusInput {
  @Field(() => ID, { nullable: true, description: 'For members this partner enrolls; none: coalition-wide.' })
  partnerId?: string | null;

  @Field(() => Int, { description: 'Points from the marketing budget; 0 turns the bonus off.' })
  points!: number;
}

@ObjectType('WelcomeBonusRule', { description: 'A welcome bonus, in force from effectiveFrom until a newer rule for the same partner (or the coalition).' })
export class WelcomeBonusRuleType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true, description: 'Null: coalition-wide.' })
  partnerId!: string | null;

  @Field(() => Int)
  points!: number;

  @Field(() => String)
  effectiveFrom!: string;
}

@ObjectType('SetWelcomeBonusPayload')
export class SetWelcomeBonusPayload {
  @Field(() => WelcomeBonusRuleType)
  rule!: WelcomeBonusRuleType;
}

@ObjectType('WelcomeBonuses')
export class WelcomeBonusesType {
  @Field(() => Int, { description: 'Paid when no rule is in force (WELCOME_BONUS_POINTS).' })
  defaultPoints!: number;

  @Field(() => [WelcomeBonusRuleType], { description: "The coalition's rule and each partner's, in force now." })
  rules!: WelcomeBonusRuleType[];
}

export function toWelcomeRuleType(row: WelcomeRuleRow): WelcomeBonusRuleType {
  return { id: row.id, partnerId: row.partner_id, points: Number(row.points), effectiveFrom: row.effective_from.toISOString() };
}
