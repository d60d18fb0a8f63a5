import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { type CardRow } from '../persistence/cards.repository';
import { MemberType } from './member.type';

export enum CardReplacementReason {
  LOST = 'LOST',
  STOLEN = 'STOLEN',
  DAMAGED = 'DAMAGED',
}
registerEnumType(CardReplacementReason, { name: 'CardReplacementReason' });

export enum CardStatus {
  ACTIVE = 'ACTIVE',
  BLOCKED = 'BLOCKED',
}
registerEnumType(CardStatus, { name: 'CardStatus', description: 'A BLOCKED card was replaced: memberByCard answers CARD_BLOCKED for it.' });

@InputType('ReplaceCardInput')
export class ReplaceCardInput {
  @Field(() => ID, { nullable: true, description: 'Omitted when the member calls; required for a partner or the admin.' })
  memberId?: string | null;

  @Field(() => CardReplacementReason)
  reason!: CardReplacementReason;

  @Field(() => String, { description: '1 to 255 printable ASCII characters; scoped to (caller, operation).' })
  idempotencyKey!: string;
}

@ObjectType('ReplaceCardPayload')
export class ReplaceCardPayload {
  @Field(() => MemberType, { description: 'member.cardNumber is the new card.' })
  member!: MemberType;
}

@ObjectType('MemberCard', { description: 'A card number the member holds or held.' })
export class MemberCardType {
  @Field(() => String)
  cardNumber!: string;

  @Field(() => CardStatus)
  status!: CardStatus;

  @Field(() => String, { description: 'ISO 8601, UTC.' })
  issuedAt!: string;

  @Field(() => String, { nullable: true, description: 'ISO 8601, UTC; when the card was replaced.' })
  blockedAt!: string | null;

  @Field(() => CardReplacementReason, { nullable: true })
  blockReason!: CardReplacementReason | null;
}

export function toCardType(row: CardRow): MemberCardType {
  return Object.assign(new MemberCardType(), {
    cardNumber: row.cardNumber,
    status: row.status as CardStatus,
    issuedAt: row.issuedAt.toISOString(),
    blockedAt: row.blockedAt?.toISOString() ?? null,
    blockReason: row.blockReason as CardReplacementReason | null,
  });
}
