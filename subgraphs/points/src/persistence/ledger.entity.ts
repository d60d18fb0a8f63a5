import { Column, Entity, PrimaryColumn } from 'typeorm';

export type AccountKind = 'MEMBER' | 'PARTNER_ISSUED' | 'PARTNER_HONOURED' | 'CHARITY' | 'COALITION_BREAKAGE' | 'COALITION_MARKETING' | 'COALITION_CASHOUT' | 'MERGE_CLEARING' | 'HOUSEHOLD_CLEARING';

@Entity({ name: 'accounts' })
export class AccountEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  kind!: AccountKind;

  @Column('uuid', { name: 'owner_id', nullable: true })
  ownerId!: string | null;

  /** bigint: a string from pg; parse with BigInt. */
  @Column('bigint')
  balance!: string;

  @Column('bigint')
  pending!: string;

  @Column('boolean')
  maintained!: boolean;
}

export type TransactionKind = 'EARN' | 'REDEEM' | 'REVERSAL' | 'EXPIRY' | 'DONATION' | 'CLAWBACK' | 'GRANT' | 'BONUS' | 'CASHOUT' | 'CASHOUT_RETURN' | 'MERGE' | 'TRANSFER';

@Entity({ name: 'transactions' })
export class TransactionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  kind!: TransactionKind;

  @Column('uuid', { name: 'partner_id', nullable: true })
  partnerId!: string | null;

  @Column('uuid', { name: 'member_id', nullable: true })
  memberId!: string | null;

  @Column('text')
  reference!: string;

  @Column('bigint')
  points!: string;

  @Column('bigint', { name: 'purchase_minor', nullable: true })
  purchaseMinor!: string | null;

  @Column('text', { name: 'purchase_currency', nullable: true })
  purchaseCurrency!: string | null;

  @Column('numeric', { name: 'earn_rate', nullable: true })
  earnRate!: string | null;

  @Column('uuid', { nullable: true })
  reverses!: string | null;

  @Column('bigint', { name: 'base_points', nullable: true })
  basePoints!: string | null;

  @Column('integer', { name: 'tier_multiplier_milli', nullable: true })
  tierMultiplierMilli!: number | null;

  @Column('bigint', { name: 'campaign_bonus', nullable: true })
  campaignBonus!: string | null;

  @Column('uuid', { name: 'hold_id', nullable: true })
  holdId!: string | null;

  /** Price per point in force when written (decimal string, `priceCurrency` major units); see the economics migration. */
  @Column('numeric', { name: 'unit_price', nullable: true })
  unitPrice!: string | null;

  @Column('text', { name: 'price_currency', nullable: true })
  priceCurrency!: string | null;

  @Column('boolean', { name: 'block_drawn', default: false })
  blockDrawn!: boolean;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}

@Entity({ name: 'postings' })
export class PostingEntity {
  @PrimaryColumn('bigint')
  id!: string;

  @Column('uuid', { name: 'transaction_id' })
  transactionId!: string;

  @Column('uuid', { name: 'account_id' })
  accountId!: string;

  @Column('bigint')
  amount!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}

export type HoldStatus = 'OPEN' | 'CAPTURED' | 'VOIDED' | 'EXPIRED';

@Entity({ name: 'holds' })
export class HoldEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'account_id' })
  accountId!: string;

  @Column('uuid', { name: 'member_id' })
  memberId!: string;

  @Column('uuid', { name: 'partner_id' })
  partnerId!: string;

  @Column('bigint')
  points!: string;

  @Column('text')
  reference!: string;

  @Column('text')
  status!: HoldStatus;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  @Column('timestamptz', { name: 'finalized_at', nullable: true })
  finalizedAt!: Date | null;

  @Column('bigint', { name: 'captured_points', nullable: true })
  capturedPoints!: string | null;

  @Column('uuid', { name: 'capture_transaction_id', nullable: true })
  captureTransactionId!: string | null;
}
