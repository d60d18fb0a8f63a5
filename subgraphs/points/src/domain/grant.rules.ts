import { badInput, isAppError } from '../../../../lib/src/errors';
import * as validate from '../../../../lib/src/validation';

/**
 * Goodwill and campaign grants: what one grant may be, and the checks a bulk file's rows pass before
 * anything is written (all or nothing: every row's problems are reported, with its CSV line).
 */

/** The most points one grant may give (a typo of a few zeros is refused, not granted). */
export const MAX_GRANT_POINTS = 1_000_000;
/** The most rows one bulk file may carry (its JSON must also fit the subgraph's MAX_BODY_BYTES). */
export const MAX_IMPORT_ROWS = 2_000;

export interface GrantRowInput {
  memberId: string;
  points: number;
  reason: string;
  reference: string;
}

export interface ValidGrantRow {
  memberId: string;
  points: bigint;
  reason: string;
  reference: string;
}

export interface RowProblem {
  line: number;
  field: string;
  code: string;
  message: string;
}

/** One grant's fields, checked; BAD_USER_INPUT naming the field otherwise. */
export function validGrantRow(row: GrantRowInput): ValidGrantRow {
  const memberId = validate.uuid('memberId', row.memberId);
  const points = validate.points('points', row.points);
  if (points > MAX_GRANT_POINTS) throw badInput('points', `must be at most ${MAX_GRANT_POINTS}`);
  return {
    memberId,
    points: BigInt(points),
    reason: validate.text('reason', row.reason, 500),
    reference: validate.text('reference', row.reference, 255),
  };
}

/** Every row checked: the valid ones, and one problem per invalid row (its first bad field), by line. */
export function checkGrantRows<R extends GrantRowInput & { line: number }>(rows: readonly R[]): { valid: (ValidGrantRow & { line: number })[]; problems: RowProblem[] } {
  const valid: (ValidGrantRow & { line: number })[] = [];
  const problems: RowProblem[] = [];
  for (const row of rows) {
    try {
      valid.push({ ...validGrantRow(row), line: row.line });
    } catch (error) {
      if (!isAppError(error)) throw error;
      const field = String((error.extensions as { field?: string }).field ?? '');
      problems.push({ line: row.line, field, code: error.code, message: error.message });
    }
  }
  return { valid, problems };
}
