import { createHash, randomInt } from 'node:crypto';

/** Redemption codes: 8 digits a member reads out or shows at the till, single use, short-lived. */
export const REDEMPTION_CODE_DIGITS = 8;
export const REDEMPTION_CODE_TTL_SECONDS = 600;

export function generateRedemptionCode(): string {
  let code = '';
  for (let i = 0; i < REDEMPTION_CODE_DIGITS; i++) code += String(randomInt(10));
  return code;
}

export function normalizeRedemptionCode(value: string): string {
  return value.replace(/[\s-]/g, '');
}

/**
 * Wrong codes are counted: a member's live codes are voided after this many wrong ones within the window
 * (the real code stops working; the member makes a new one), and a partner's code checks are refused for
 * the rest of the window after this many across members. Guessing one code of 10^8 with 5 tries per code
 * and 20 per partner every 10 minutes is hopeless; a till's honest typo costs nothing.
 */
export const REDEMPTION_CODE_MAX_FAILURES = 5;
export const REDEMPTION_CODE_PARTNER_MAX_FAILURES = 20;
export const REDEMPTION_CODE_FAILURE_WINDOW_SECONDS = 600;

/**
 * Codes are stored as a hash bound to the member, never in clear. With only 10^8 codes the hash alone does
 * not resist an offline search: what protects a code is its 10-minute life, single use, the member
 * binding and the failure limits above.
 */
export function hashRedemptionCode(memberId: string, code: string): string {
  return createHash('sha256').update(`${memberId}:${normalizeRedemptionCode(code)}`).digest('hex');
}
