import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { isAdmin, isSelf, type Viewer } from '../../../../lib/src';
import { type MemberEntity } from '../persistence/member.entity';
import { type MembersService } from '../services/members.service';

export enum MemberStatus {
  ACTIVE = 'ACTIVE',
  CLOSED = 'CLOSED',
}
registerEnumType(MemberStatus, { name: 'MemberStatus' });

@Directive('@key(fields: "id")')
@ObjectType('Member', { description: 'A coalition member: one card and one points balance across every partner.' })
export class MemberType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => String, { description: '16 digits, printable on a card; the last digit is a Damm check digit.' })
  cardNumber!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Visible to the member, the admin, the partner that enrolled the member, and any partner while the member consents to partner data sharing.',
  })
  email!: string | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD. Same visibility as email.' })
  birthDate!: string | null;

  @Field(() => String, { nullable: true, description: 'E.164, such as +4791234567. Same visibility as email.' })
  phone!: string | null;

  @Field(() => String, { nullable: true, description: 'nb, sv, da or en. Same visibility as email.' })
  preferredLanguage!: string | null;

  @Field(() => String, { nullable: true, description: 'The code this member shares to refer others. Visible to the member and the admin.' })
  referralCode!: string | null;

  @Field(() => MemberStatus)
  status!: MemberStatus;

  @Field(() => String, { description: 'ISO 8601, UTC.' })
  enrolledAt!: string;
}

@ObjectType('MemberPage')
export class MemberPageType {
  @Field(() => [MemberType])
  nodes!: MemberType[];

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page; null on the last page.' })
  endCursor!: string | null;
}

@ObjectType('EnrollMemberPayload')
export class EnrollMemberPayload {
  @Field(() => MemberType)
  member!: MemberType;
}

/** Maps a stored member to the public type, hiding what this viewer may not see. */
export function toMemberType(entity: MemberEntity, viewer: Viewer, service: MembersService): MemberType {
  const personal = service.canSeePersonalData(viewer, entity);
  const self = isSelf(viewer, entity.id) || isAdmin(viewer);
  return Object.assign(new MemberType(), {
    id: entity.id,
    displayName: entity.displayName,
    cardNumber: entity.cardNumber,
    email: personal ? entity.email : null,
    birthDate: personal ? entity.birthDate : null,
    phone: personal ? entity.phone : null,
    preferredLanguage: personal ? entity.preferredLanguage : null,
    referralCode: self ? entity.referralCode : null,
    status: entity.status as MemberStatus,
    enrolledAt: entity.enrolledAt.toISOString(),
  });
}
