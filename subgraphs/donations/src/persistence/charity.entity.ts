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

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}

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

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
