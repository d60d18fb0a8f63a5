import { type CodeFailureLimits } from '../persistence/redemption-code.repository';

/** Ledger settings, from the points subgraph's environment. */
export interface LedgerConfig {
  /** Lots expire this many months after they were earned (default 24). */
  expiryMonths: number;
  /** Open redemption holds expire after this many seconds, by database time (default 900). */
  holdTtlSeconds: number;
  /** Redemption codes are valid this long (default 600). */
  redemptionCodeTtlSeconds: number;
  /** Wrong codes per member and per partner within a window (REDEMPTION_CODE_*_FAILURES). */
  redemptionCodeFailures: CodeFailureLimits;
  /** How often the sweeper expires holds and lots (default 5000 ms; 0 turns it off). */
  sweepIntervalMs: number;
  /** The coalition as an issuer (its marketing budget) and as a payer (cashback). */
  coalition: CoalitionConfig;
  /** Bonuses without a purchase, paid from the marketing budget (BonusService). */
  bonuses: {
    /** The welcome bonus when no rule is set (WELCOME_BONUS_POINTS), paid within WELCOME_BONUS_WINDOW_DAYS of joining. */
    welcomePoints: number;
    welcomeWindowDays: number;
    /** REFERRAL_FRIEND_POINTS, REFERRAL_REFERRER_POINTS, REFERRAL_YEARLY_CAP (friends paid for per referrer and year). */
    referral: {
      friendPoints: number;
      referrerPoints: number;
      referrerYearlyCap: number;
      /** AMBASSADOR_MIN_FRIENDS (0: no ambassadors) and AMBASSADOR_REFERRER_POINTS (an ambassador's referrer bonus; absent: referrerPoints). */
      ambassadorMinFriends?: number;
      ambassadorReferrerPoints?: number;
    };
    /** BIRTHDAY_BONUS_POINTS (0: none), in the birthday month or on the day (BIRTHDAY_BONUS_ON). */
    birthdayPoints: number;
    birthdayOn: 'MONTH' | 'DAY';
  };
}

/** The coalition's own money settings (COALITION_* , MARKETING_*, CASHOUT_* variables). */
export interface CoalitionConfig {
  /** The coalition's calendar (COALITION_TIME_ZONE, IANA, default UTC): birthdays and yearly caps follow it. */
  timeZone: string;
  /** The coalition's currency (COALITION_CURRENCY, default EUR): marketing-funded points and cashback are in it. */
  currency: string;
  /** What a point the coalition's marketing budget gives away costs it (MARKETING_POINT_PRICE, decimal, default 0.01). */
  marketingPointPrice: string;
  /** What the coalition pays per cashed-out point (CASHOUT_POINT_VALUE, decimal, default 0.005). */
  cashoutPointValue: string;
  /** The fewest points one cashout may take (CASHOUT_MIN_POINTS, default 1000). */
  cashoutMinimumPoints: number;
  /** The account cashback is paid from, for the pain.001 file (COALITION_DEBTOR_NAME, _IBAN, _BIC). */
  debtor: { name: string; iban: string; bic: string | null };
}
