import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { formatMoney, money, MoneyType } from '../../../../lib/src';
import { maskIban } from '../domain/cashout.rules';
import { type BatchRow, type CashoutRow } from '../persistence/cashouts.repository';
import { toInt } from './points.type';

export enum CashoutStatus {
  PENDING = 'PENDING',
  BATCHED = 'BATCHED',
  PAID = 'PAID',
  FAILED = 'FAILED',
}
registerEnumType(CashoutStatus, {
  name: 'CashoutStatus',
  description: 'PENDING: waiting for a payout batch. BATCHED: in a pain.001 file sent to the bank. PAID. FAILED: the points came back (CASHOUT_RETURN).',
});

export enum PayoutOutcome {
  PAID = 'PAID',
  FAILED = 'FAILED',
}
registerEnumType(PayoutOutcome, { name: 'PayoutOutcome', description: 'PAID (except failedCashoutIds, if any) or FAILED (every payout of the batch).' });

@InputType('RequestCashoutInput')
export class RequestCashoutInput {
  @Field(() => Int, { description: 'At least the coalition\'s minimum (CASHOUT_BELOW_MINIMUM below it).' })
  points!: number;

  @Field(() => String, { description: 'The account to pay: an IBAN (spaces allowed), checked by its ISO 13616 check digits.' })
  iban!: string;

  @Field(() => String)
  idempotencyKey!: string;
}

@ObjectType('Cashout', { description: 'Points turned into a bank transfer.' })
export class CashoutType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  points!: number;

  @Field(() => MoneyType, { description: 'What the coalition pays: points × its value per point when requested, rounded down to the cent.' })
  amount!: MoneyType;

  @Field(() => String, { description: 'The IBAN paid, masked (country, check digits, last four).' })
  iban!: string;

  @Field(() => CashoutStatus)
  status!: CashoutStatus;

  @Field(() => ID, { description: 'The CASHOUT transaction.' })
  transactionId!: string;

  @Field(() => ID, { nullable: true, description: 'The CASHOUT_RETURN that gave the points back, when the payout failed.' })
  returnTransactionId!: string | null;

  @Field(() => String, { description: 'ISO 8601, UTC.' })
  createdAt!: string;

  @Field(() => String, { nullable: true, description: 'ISO 8601, UTC: when it was marked paid or failed.' })
  settledAt!: string | null;
}

@ObjectType('RequestCashoutPayload')
export class RequestCashoutPayload {
  @Field(() => CashoutType)
  cashout!: CashoutType;
}

@ObjectType('PayoutBatch', { description: 'Pending cashouts gathered into one ISO 20022 pain.001 credit-transfer file. Admin.' })
export class PayoutBatchType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'The file\'s message id (GrpHdr/MsgId).' })
  messageId!: string;

  @Field(() => String, { description: 'EXPORTED, or SETTLED once marked paid or failed.' })
  status!: string;

  @Field(() => Int)
  payouts!: number;

  @Field(() => MoneyType)
  total!: MoneyType;

  @Field(() => String, { description: 'ISO 8601, UTC.' })
  createdAt!: string;

  @Field(() => String, { nullable: true })
  settledAt!: string | null;

  /** The row, for the field resolvers (cashouts, creditTransferXml). */
  row!: BatchRow;
}

@InputType('CreatePayoutBatchInput')
export class CreatePayoutBatchInput {
  @Field(() => String)
  idempotencyKey!: string;
}

@InputType('SettlePayoutBatchInput')
export class SettlePayoutBatchInput {
  @Field(() => ID)
  batchId!: string;

  @Field(() => PayoutOutcome)
  outcome!: PayoutOutcome;

  @Field(() => [ID], { nullable: true, description: 'With PAID: the payouts the bank returned; their points come back.' })
  failedCashoutIds?: string[] | null;

  @Field(() => String)
  idempotencyKey!: string;
}

@ObjectType('PayoutBatchPayload')
export class PayoutBatchPayload {
  @Field(() => PayoutBatchType)
  batch!: PayoutBatchType;
}

export function toCashoutType(row: CashoutRow): CashoutType {
  const m = formatMoney({ minor: BigInt(row.amount_minor), currency: row.currency });
  return Object.assign(new CashoutType(), {
    id: row.id,
    points: toInt(row.points),
    amount: money(m.amount, m.currency),
    iban: maskIban(row.iban),
    status: row.status as CashoutStatus,
    transactionId: row.transaction_id,
    returnTransactionId: row.return_transaction_id,
    createdAt: row.created_at.toISOString(),
    settledAt: row.settled_at?.toISOString() ?? null,
  });
}

export function toBatchType(row: BatchRow): PayoutBatchType {
  const m = formatMoney({ minor: BigInt(row.total_minor), currency: row.currency });
  return Object.assign(new PayoutBatchType(), {
    id: row.id,
    messageId: row.message_id,
    status: row.status,
    payouts: row.payouts,
    total: money(m.amount, m.currency),
    createdAt: row.created_at.toISOString(),
    settledAt: row.settled_at?.toISOString() ?? null,
    row,
  });
}
