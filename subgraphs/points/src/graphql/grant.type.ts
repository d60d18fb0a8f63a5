import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { type RowProblem } from '../domain/grant.rules';
import { type GrantImportRow } from '../persistence/grants.repository';
import { PartnerRefType, PointsTransactionType, toInt } from './points.type';

@InputType('GrantPointsInput')
export class GrantPointsInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => Int, { description: '1 to 1,000,000.' })
  points!: number;

  @Field(() => String, { description: 'Why (kept with the grant, up to 500 characters).' })
  reason!: string;

  @Field(() => ID, { nullable: true, description: "Admin only: bill this partner at its issue price instead of the coalition's marketing budget." })
  fundedByPartnerId?: string | null;

  @Field(() => String, { description: 'Your own reference, for example a support ticket.' })
  reference!: string;

  @Field(() => String)
  idempotencyKey!: string;
}

@ObjectType('GrantPointsPayload')
export class GrantPointsPayload {
  @Field(() => PointsTransactionType, { description: 'The GRANT transaction; its award is GOODWILL, funded by whoever pays.' })
  transaction!: PointsTransactionType;
}

@InputType('GrantRowInput')
export class GrantRowInput {
  @Field(() => Int, { description: "The row's line in the uploaded file, for error reports." })
  line!: number;

  @Field(() => ID)
  memberId!: string;

  @Field(() => Int)
  points!: number;

  @Field(() => String)
  reason!: string;

  @Field(() => String)
  reference!: string;
}

@InputType('ImportGrantsInput')
export class ImportGrantsInput {
  @Field(() => [GrantRowInput], { description: 'At most 2,000 rows.' })
  rows!: GrantRowInput[];

  @Field(() => ID, { nullable: true, description: 'As in GrantPointsInput: admin only.' })
  fundedByPartnerId?: string | null;

  @Field(() => String, { description: "The uploaded file's SHA-256 (hex): the same key with another file is IDEMPOTENCY_KEY_REUSED." })
  fileSha256!: string;

  @Field(() => String)
  idempotencyKey!: string;
}

@ObjectType('GrantRowError', { description: 'Why one row of a bulk file was refused.' })
export class GrantRowErrorType {
  @Field(() => Int)
  line!: number;

  @Field(() => String)
  field!: string;

  @Field(() => String, { description: 'BAD_USER_INPUT or NOT_FOUND.' })
  code!: string;

  @Field(() => String)
  message!: string;
}

@ObjectType('GrantImport', { description: 'A bulk file of grants, granted all at once.' })
export class GrantImportType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  rows!: number;

  @Field(() => Int)
  points!: number;

  @Field(() => String)
  fileSha256!: string;

  @Field(() => PartnerRefType, { nullable: true, description: "Who pays; null: the coalition's marketing budget." })
  fundedBy!: PartnerRefType | null;

  @Field(() => String, { description: 'ISO 8601, UTC.' })
  createdAt!: string;
}

@ObjectType('ImportGrantsPayload', { description: 'Either the import (errors empty) or every row problem (grantImport null, nothing written).' })
export class ImportGrantsPayload {
  @Field(() => GrantImportType, { nullable: true })
  grantImport!: GrantImportType | null;

  @Field(() => [GrantRowErrorType])
  errors!: GrantRowErrorType[];

  @Field(() => Boolean, { description: 'This key and file were already granted: the stored import, nothing new written.' })
  replayed!: boolean;
}

export function toGrantImportType(row: GrantImportRow): GrantImportType {
  return Object.assign(new GrantImportType(), {
    id: row.id,
    rows: row.rows,
    points: toInt(row.points),
    fileSha256: row.file_sha256,
    fundedBy: row.funded_by ? Object.assign(new PartnerRefType(), { id: row.funded_by }) : null,
    createdAt: row.created_at.toISOString(),
  });
}

export const toRowErrors = (problems: readonly RowProblem[]): GrantRowErrorType[] => problems.map((p) => Object.assign(new GrantRowErrorType(), p));
