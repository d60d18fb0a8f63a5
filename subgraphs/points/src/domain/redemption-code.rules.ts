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

/** Codes are stored only as a hash bound to the member, so a leaked table reveals no usable code. */
export function hashRedemptionCode(memberId: string, code: string): string {
  return createHash('sha256').update(`${memberId}:${normalizeRedemptionCode(code)}`).digest('hex');
}
