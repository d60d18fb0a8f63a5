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
