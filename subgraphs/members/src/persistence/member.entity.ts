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

  @Column('timestamptz', { name: 'closed_at', nullable: true })
  closedAt!: Date | null;

  /** A member closed by a merge: the member its points, history and cards went to. */
  @Column('uuid', { name: 'merged_into', nullable: true })
  mergedInto!: string | null;

  @Column('timestamptz', { name: 'enrolled_at' })
  enrolledAt!: Date;

  /** E.164. */
  @Column('text', { nullable: true })
  phone!: string | null;

  @Column('text', { name: 'preferred_language', nullable: true })
  preferredLanguage!: 'nb' | 'sv' | 'da' | 'en' | null;

  /** The current consents (their history is in member_consents). */
  @Column('text', { name: 'terms_version', nullable: true })
  termsVersion!: string | null;

  @Column('boolean', { name: 'marketing_consent' })
  marketingConsent!: boolean;

  @Column('boolean', { name: 'partner_data_sharing' })
  partnerDataSharing!: boolean;
}
