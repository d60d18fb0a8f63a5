import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { type ConsentState } from '../domain/consent.rules';
import { type ConsentRecord } from '../persistence/consents.repository';
import { MemberType } from './member.type';

export enum ConsentSource {
  SIGN_UP = 'SIGN_UP',
  SET_CONSENTS = 'SET_CONSENTS',
  ENROLMENT = 'ENROLMENT',
}
registerEnumType(ConsentSource, {
  name: 'ConsentSource',
  description: 'Where a consent change came from.',
  valuesConfig: {
    SIGN_UP: { description: 'The member signed up (signUp).' },
    SET_CONSENTS: { description: 'The member changed them (setConsents).' },
    ENROLMENT: { description: 'A till (or the admin) enrolled the member; partnerId names the partner.' },
  },
});

@ObjectType('ConsentRecord', { description: 'One change of consents: the state after it, when, and from where.' })
export class ConsentRecordType {
  @Field(() => String, { description: 'ISO 8601, UTC.' })
  recordedAt!: string;

  @Field(() => ConsentSource)
  source!: ConsentSource;

  @Field(() => ID, { nullable: true, description: 'The enrolling partner, for ENROLMENT at a till.' })
  partnerId!: string | null;

  @Field(() => String, { nullable: true })
  termsVersion!: string | null;

  @Field(() => Boolean)
  marketing!: boolean;

  @Field(() => Boolean)
  partnerDataSharing!: boolean;
}

@ObjectType('Consents', { description: "The member's consents now, and every change, oldest first." })
export class ConsentsType {
  @Field(() => String, { nullable: true, description: 'The version of the terms last accepted; null when none was (enrolled before terms were recorded).' })
  termsVersion!: string | null;

  @Field(() => Boolean)
  marketing!: boolean;

  @Field(() => Boolean, { description: "Partners may see the member's email and profile." })
  partnerDataSharing!: boolean;

  @Field(() => [ConsentRecordType])
  history!: ConsentRecordType[];
}

export function toConsentsType(current: ConsentState, history: ConsentRecord[]): ConsentsType {
  return Object.assign(new ConsentsType(), {
    ...current,
    history: history.map((h) =>
      Object.assign(new ConsentRecordType(), {
        recordedAt: h.recordedAt.toISOString(),
        source: h.source as ConsentSource,
        partnerId: h.partnerId,
        termsVersion: h.termsVersion,
        marketing: h.marketing,
        partnerDataSharing: h.partnerDataSharing,
      }),
    ),
  });
}

@ObjectType('SignUpPayload')
export class SignUpPayload {
  @Field(() => MemberType)
  member!: MemberType;
}

@ObjectType('SetConsentsPayload')
export class SetConsentsPayload {
  @Field(() => MemberType)
  member!: MemberType;
}

@ObjectType('UpdateProfilePayload')
export class UpdateProfilePayload {
  @Field(() => MemberType)
  member!: MemberType;
}
