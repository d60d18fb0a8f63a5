import { randomInt } from 'node:crypto';

/** Crockford base32 without I, L, O and U: easy to read aloud and type. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const REFERRAL_CODE_LENGTH = 8;

export function generateReferralCode(): string {
  let code = '';
  for (let i = 0; i < REFERRAL_CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/** Upper-cases and maps the look-alikes Crockford allows (O->0, I/L->1); returns null when malformed. */
export function normalizeReferralCode(value: string): string | null {
  const code = value.trim().toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1').replace(/-/g, '');
  return new RegExp(`^[${ALPHABET}]{${REFERRAL_CODE_LENGTH}}$`).test(code) ? code : null;
}
