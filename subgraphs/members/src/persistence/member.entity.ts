import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'members' })
export class MemberEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text', { name: 'display_name' })
  displayName!: string;

  @Column('text')
  email!: string;

  @Column('text', { name: 'email_normalized' })
  emailNormalized!: string;

  @Column('date', { name: 'birth_date', nullable: true })
  birthDate!: string | null;

  @Column('text', { name: 'card_number' })
  cardNumber!: string;

  @Column('text', { name: 'referral_code' })
  referralCode!: string;

  @Column('uuid', { name: 'referred_by', nullable: true })
  referredBy!: string | null;

  @Column('uuid', { name: 'enrolled_by_partner_id', nullable: true })
  enrolledByPartnerId!: string | null;

  @Column('text')
  status!: 'ACTIVE' | 'CLOSED';

  @Column('timestamptz', { name: 'enrolled_at' })
  enrolledAt!: Date;
}
