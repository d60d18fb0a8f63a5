import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The partners subgraph's Partner, referenced by report rows. */
@Directive('@key(fields: "id")')
@ObjectType('Partner')
export class GivingPartnerRef {
  @Field(() => ID)
  id!: string;
}
