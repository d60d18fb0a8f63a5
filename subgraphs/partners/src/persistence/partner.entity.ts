import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'partners' })
export class PartnerEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  status!: 'ACTIVE' | 'SUSPENDED';

  @Column('text')
  currency!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}

/** Contract terms in force from `validFrom`; a change adds a row, so history keeps every rate. */
@Entity({ name: 'partner_terms' })
export class PartnerTermsEntity {
  @PrimaryColumn('bigint')
  id!: string;

  @Column('uuid', { name: 'partner_id' })
  partnerId!: string;

  @Column('numeric', { name: 'earn_rate' })
  earnRate!: string;

  @Column('numeric', { name: 'issue_price' })
  issuePrice!: string;

  @Column('numeric')
  reimbursement!: string;

  @Column('timestamptz', { name: 'valid_from' })
  validFrom!: Date;
}

/** A partner's shop or location; `code` is the partner's own store code, unique per partner in any case. */
@Entity({ name: 'stores' })
export class StoreEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'partner_id' })
  partnerId!: string;

  @Column('text')
  code!: string;

  @Column('text')
  name!: string;

  @Column('text', { nullable: true })
  address!: string | null;

  @Column('text', { nullable: true })
  city!: string | null;

  @Column('text')
  country!: string;

  @Column('boolean')
  active!: boolean;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}

export type OfferKind = 'POINTS_PRICE' | 'BONUS_POINTS' | 'MULTIPLIER';

/** An entry of a partner's offers catalogue; retiring one is final. */
@Entity({ name: 'offers' })
export class OfferEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'partner_id' })
  partnerId!: string;

  @Column('text')
  title!: string;

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('text')
  kind!: OfferKind;

  @Column('integer', { nullable: true })
  points!: number | null;

  @Column('numeric', { nullable: true })
  multiplier!: string | null;

  @Column('timestamptz', { name: 'valid_from' })
  validFrom!: Date;

  @Column('timestamptz', { name: 'valid_to', nullable: true })
  validTo!: Date | null;

  @Column('text', { name: 'min_tier', nullable: true })
  minTier!: string | null;

  /** A personal offer's segment (the points subgraph's); null: for every member. */
  @Column('uuid', { name: 'segment_id', nullable: true })
  segmentId!: string | null;

  @Column('integer', { name: 'uses_per_member' })
  usesPerMember!: number;

  @Column('boolean')
  active!: boolean;

  @Column('timestamptz', { name: 'retired_at', nullable: true })
  retiredAt!: Date | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
