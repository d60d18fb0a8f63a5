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
 * Codes are stored as a hash bound to the member, never in clear. With only 10^8 codes the hash alone does
 * not resist an offline search: what protects a code is its 10-minute life, single use and the member
 * binding (rate limits on redemption attempts come with the API-hardening work).
 */
export function hashRedemptionCode(memberId: string, code: string): string {
  return createHash('sha256').update(`${memberId}:${normalizeRedemptionCode(code)}`).digest('hex');
}
