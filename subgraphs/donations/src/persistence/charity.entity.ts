import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'charities' })
export class CharityEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('text')
  status!: 'ACTIVE' | 'INACTIVE';

  @Column('text')
  verification!: 'UNVERIFIED' | 'VERIFIED' | 'REJECTED';

  @Column('timestamptz', { name: 'verified_at', nullable: true })
  verifiedAt!: Date | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}

export type DonationStatus = 'PENDING' | 'CONFIRMED' | 'FAILED';

@Entity({ name: 'donations' })
export class DonationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'member_id' })
  memberId!: string;

  @Column('uuid', { name: 'charity_id' })
  charityId!: string;

  @Column('bigint')
  points!: string;

  @Column('text', { name: 'receipt_id' })
  receiptId!: string;

  @Column('text')
  status!: DonationStatus;

  /** The donation's money value in `currency` minor units, at the conversion rate in force when made. */
  @Column('bigint', { name: 'value_minor' })
  valueMinor!: string;

  @Column('text')
  currency!: string;

  @Column('uuid', { name: 'posting_transaction_id', nullable: true })
  postingTransactionId!: string | null;

  @Column('timestamptz', { name: 'confirmed_at', nullable: true })
  confirmedAt!: Date | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
