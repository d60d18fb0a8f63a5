import { badInput } from '../../../../lib/src/errors';
import { currency as parseCurrency, formatScaled, parseScaled, RATE_SCALE } from '../../../../lib/src/money';
import * as validate from '../../../../lib/src/validation';

export interface PartnerInput {
  name: string;
  currency: string;
  earnRate?: string | null;
  issuePrice?: { amount: string; currency: string } | null;
  reimbursement?: { amount: string; currency: string } | null;
}

export interface ValidPartner {
  name: string;
  currency: string;
  /** Decimal strings with at most 6 places, as stored in numeric(20,6). */
  earnRate: string;
  issuePrice: string;
  reimbursement: string;
}

export const PARTNER_NAME_MAX = 200;
/** Defaults when the admin gives none: 1 point per currency unit; one point priced and reimbursed at 0.01. */
export const DEFAULT_TERMS = { earnRate: '1', issuePrice: '0.01', reimbursement: '0.01' } as const;
const MAX_RATE = 1_000_000n * 10n ** BigInt(RATE_SCALE);

function rate(field: string, value: string, allowZero: boolean): string {
  const scaled = parseScaled(field, value, RATE_SCALE, 20);
  if (!allowZero && scaled === 0n) throw badInput(field, 'must be greater than zero');
  if (scaled > MAX_RATE) throw badInput(field, 'must be at most 1000000');
  return formatScaled(scaled, RATE_SCALE);
}

function pricePerPoint(field: string, value: { amount: string; currency: string }, partnerCurrency: string): string {
  if (value.currency !== partnerCurrency) throw badInput(`${field}.currency`, `must be the partner's currency (${partnerCurrency})`);
  return rate(`${field}.amount`, value.amount, true);
}

/** Validates a new partner's name, currency and contract terms; raises BAD_USER_INPUT naming the field. */
export function validatePartner(input: PartnerInput): ValidPartner {
  const name = validate.text('name', input.name, PARTNER_NAME_MAX);
  const currency = parseCurrency('currency', input.currency);
  return {
    name,
    currency,
    earnRate: rate('earnRate', input.earnRate ?? DEFAULT_TERMS.earnRate, false),
    issuePrice: pricePerPoint('issuePrice', input.issuePrice ?? { amount: DEFAULT_TERMS.issuePrice, currency }, currency),
    reimbursement: pricePerPoint('reimbursement', input.reimbursement ?? { amount: DEFAULT_TERMS.reimbursement, currency }, currency),
  };
}

export interface TermsChangeInput {
  earnRate?: string | null;
  issuePrice?: { amount: string; currency: string } | null;
  reimbursement?: { amount: string; currency: string } | null;
}

/** The fields a terms change sets; omitted ones are copied from the version in force at `validFrom`. */
export interface ValidTermsChange {
  earnRate: string | null;
  issuePrice: string | null;
  reimbursement: string | null;
}

/** Validates a change of contract terms against the partner's currency; at least one term must change. */
export function validateTermsChange(input: TermsChangeInput, partnerCurrency: string): ValidTermsChange {
  if (input.earnRate == null && input.issuePrice == null && input.reimbursement == null) {
    throw badInput('earnRate', 'give at least one of earnRate, issuePrice, reimbursement');
  }
  return {
    earnRate: input.earnRate == null ? null : rate('earnRate', input.earnRate, false),
    issuePrice: input.issuePrice == null ? null : pricePerPoint('issuePrice', input.issuePrice, partnerCurrency),
    reimbursement: input.reimbursement == null ? null : pricePerPoint('reimbursement', input.reimbursement, partnerCurrency),
  };
}
