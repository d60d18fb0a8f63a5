import { badInput } from '../../../../lib/src/errors';
import * as validate from '../../../../lib/src/validation';
import { normalizeReferralCode } from './referral-code';

export interface EnrollmentInput {
  email: string;
  displayName: string;
  birthDate?: string | null;
  referralCode?: string | null;
}

export interface ValidEnrollment {
  email: string;
  emailNormalized: string;
  displayName: string;
  birthDate: string | null;
  referralCode: string | null;
}

export const DISPLAY_NAME_MAX = 100;

/** Validates and normalises an enrollment; raises BAD_USER_INPUT naming the first bad field. */
export function validateEnrollment(input: EnrollmentInput, now = new Date()): ValidEnrollment {
  const email = validate.email('email', input.email);
  const displayName = validate.text('displayName', input.displayName, DISPLAY_NAME_MAX);
  const birthDate = input.birthDate == null ? null : validate.pastDate('birthDate', input.birthDate, now);
  let referralCode: string | null = null;
  if (input.referralCode != null && input.referralCode.trim() !== '') {
    referralCode = normalizeReferralCode(input.referralCode);
    if (!referralCode) throw badInput('referralCode', 'is not a valid referral code');
  }
  return { email, emailNormalized: email.toLowerCase(), displayName, birthDate, referralCode };
}
