import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MoneyType } from '../../../../lib/src';
import { type ChainVerification, type StoredReceipt } from '../services/receipts.service';
import { formatMoneyType } from './money.mapper';

export enum ReceiptKind {
  DONATION = 'DONATION',
  PLEDGE = 'PLEDGE',
  PLEDGE_REVERSAL = 'PLEDGE_REVERSAL',
  MATCH = 'MATCH',
}
registerEnumType(ReceiptKind, { name: 'ReceiptKind' });

@ObjectType('Receipt', { description: "One link of a charity's receipt chain: hash = SHA-256 of its canonical encoding, including prevHash." })
export class ReceiptType {
  @Field(() => String)
  receiptId!: string;

  @Field(() => ID)
  charityId!: string;

  @Field(() => String, { description: 'Gapless sequence number in the charity chain, from 1.' })
  seq!: string;

  @Field(() => ReceiptKind)
  kind!: ReceiptKind;

  @Field(() => ID, { description: 'The donation, pledge accrual or match the receipt proves.' })
  subjectId!: string;

  @Field(() => String, { nullable: true })
  points!: string | null;

  @Field(() => MoneyType)
  value!: MoneyType;

  @Field(() => String)
  createdAt!: string;

  @Field(() => String)
  prevHash!: string;

  @Field(() => String)
  hash!: string;
}

export function toReceiptType(r: StoredReceipt): ReceiptType {
  return Object.assign(new ReceiptType(), {
    receiptId: r.receiptId,
    charityId: r.charityId,
    seq: r.seq.toString(),
    kind: r.kind as ReceiptKind,
    subjectId: r.subjectId,
    points: r.points === null ? null : r.points.toString(),
    value: formatMoneyType(r.amountMinor, r.currency),
    createdAt: r.createdAt.toISOString(),
    prevHash: r.prevHash,
    hash: r.hash,
  });
}

@InputType('ReceiptHeadInput', { description: 'A head seen before (seq and hash): verification then also proves it is still there, unchanged.' })
export class ReceiptHeadInput {
  @Field(() => Int)
  seq!: number;

  @Field(() => String)
  hash!: string;
}

@ObjectType('ReceiptChainVerification')
export class ReceiptChainVerificationType {
  @Field(() => ID)
  charityId!: string;

  @Field(() => Boolean, { description: 'Every receipt links to the previous one and hashes to its stored hash, the chain record agrees, and a given known head is intact.' })
  valid!: boolean;

  @Field(() => String, { description: 'Receipts in the chain.' })
  length!: string;

  @Field(() => String, { description: "The last receipt's hash: keep it with the length to detect trimming later." })
  headHash!: string;

  @Field(() => String, { nullable: true, description: 'The first sequence number found broken; null when valid.' })
  firstBrokenSeq!: string | null;

  @Field(() => Boolean, { nullable: true })
  knownHeadMatches!: boolean | null;
}

export function toVerificationType(v: ChainVerification): ReceiptChainVerificationType {
  return Object.assign(new ReceiptChainVerificationType(), {
    charityId: v.charityId,
    valid: v.valid,
    length: v.length.toString(),
    headHash: v.headHash,
    firstBrokenSeq: v.firstBrokenSeq === null ? null : v.firstBrokenSeq.toString(),
    knownHeadMatches: v.knownHeadMatches,
  });
}
