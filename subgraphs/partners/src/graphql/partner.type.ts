import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { currencyExponent, money, MoneyType, trimDecimal } from '../../../../lib/src';
import { type PartnerEntity } from '../persistence/partner.entity';
import { type TermsVersion } from '../services/partners.service';

export enum PartnerStatus {
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
}
registerEnumType(PartnerStatus, { name: 'PartnerStatus' });

@ObjectType('PartnerTerms', {
  description:
    'One version of a partner\'s contract terms, in force from validFrom until validUntil. Versions are only ever added, never changed, so the terms in force at any past time stay readable. Visible to the partner itself and the admin.',
})
export class PartnerTermsType {
  @Field(() => String, { description: 'Points per one unit of the partner currency, decimal string. Points round down.' })
  earnRate!: string;

  @Field(() => MoneyType, { description: 'What the partner pays the coalition for each point it issues.' })
  issuePrice!: MoneyType;

  @Field(() => MoneyType, { description: 'What the coalition pays the partner for each point it honours.' })
  reimbursement!: MoneyType;

  @Field(() => String, { description: 'When these terms take effect, ISO 8601 UTC.' })
  validFrom!: string;

  @Field(() => String, { nullable: true, description: 'When the next version takes over, ISO 8601 UTC; null while no later version exists.' })
  validUntil!: string | null;
}

@Directive('@key(fields: "id")')
@ObjectType('Partner', { description: 'A business in the coalition that issues and honours points.' })
export class PartnerType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => PartnerStatus)
  status!: PartnerStatus;

  @Field(() => String, { description: 'ISO 4217 code of the currency the partner sells in.' })
  currency!: string;

  @Field(() => PartnerTermsType, { nullable: true, description: 'The terms in force now. Null unless the caller is this partner or the admin.' })
  terms?: PartnerTermsType | null;

  @Field(() => String)
  createdAt!: string;
}

@ObjectType('PartnerPage')
export class PartnerPageType {
  @Field(() => [PartnerType])
  nodes!: PartnerType[];

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType('CreatePartnerPayload')
export class CreatePartnerPayload {
  @Field(() => PartnerType)
  partner!: PartnerType;
}

@ObjectType('SuspendPartnerPayload')
export class SuspendPartnerPayload {
  @Field(() => PartnerType)
  partner!: PartnerType;
}

@ObjectType('ReactivatePartnerPayload')
export class ReactivatePartnerPayload {
  @Field(() => PartnerType)
  partner!: PartnerType;
}

@ObjectType('UpdatePartnerTermsPayload')
export class UpdatePartnerTermsPayload {
  @Field(() => PartnerType)
  partner!: PartnerType;

  @Field(() => PartnerTermsType, { description: 'The version this call added.' })
  terms!: PartnerTermsType;
}

export function toPartnerType(entity: PartnerEntity): PartnerType {
  return Object.assign(new PartnerType(), {
    id: entity.id,
    name: entity.name,
    status: entity.status as PartnerStatus,
    currency: entity.currency,
    createdAt: entity.createdAt.toISOString(),
  });
}

export function toTermsType(terms: TermsVersion, currency: string): PartnerTermsType {
  const digits = currencyExponent(currency);
  return Object.assign(new PartnerTermsType(), {
    earnRate: trimDecimal(terms.earnRate, 0),
    issuePrice: money(trimDecimal(terms.issuePrice, digits), currency),
    reimbursement: money(trimDecimal(terms.reimbursement, digits), currency),
    validFrom: terms.validFrom.toISOString(),
    validUntil: terms.validUntil?.toISOString() ?? null,
  });
}
