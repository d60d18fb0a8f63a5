import { GraphQLError } from 'graphql';

/**
 * The one registry of error codes the hub answers with (see API-CONTRACT.md). Every refused request
 * carries one of these in `extensions.code`; nothing is written when one is raised.
 */
export const ErrorCodes = {
  UNAUTHENTICATED: 'No valid bearer token: missing, expired, wrongly signed, or for another issuer or audience.',
  FORBIDDEN: 'The token is valid but lacks the scope or identity this operation needs.',
  BAD_USER_INPUT: 'An input value is invalid; extensions.field names it.',
  NOT_FOUND: 'The object does not exist, or belongs to another tenant (both answer the same).',
  INSUFFICIENT_POINTS: 'The member does not have enough available points.',
  IDEMPOTENCY_KEY_REUSED: 'The idempotency key was already used with a different input.',
  IDEMPOTENCY_KEY_IN_USE: 'A request with the same idempotency key is still being processed.',
  REDEMPTION_CODE_INVALID: 'The redemption code is unknown, used, expired, or for another member.',
  ALREADY_FINALIZED: 'The hold was already captured or voided, or the transaction already reversed.',
  HOLD_EXPIRED: 'The redemption hold expired before it was captured.',
  PARTNER_SUSPENDED: 'The partner is suspended and can neither earn nor redeem (nor reverse, nor enroll members).',
  PREPAID_BLOCK_EXHAUSTED:
    "The partner is prepaid and its block has fewer points left than this earn would issue; the admin tops it up (topUpPrepaidBlock).",
  CHARITY_INACTIVE: 'The charity is not active and verified.',
  CASHOUT_BELOW_MINIMUM: 'A cashout must take at least the coalition\'s minimum number of points (CASHOUT_MIN_POINTS).',
  ALREADY_MEMBER: 'The signed-in identity (token issuer and subject) is already linked to a member: signUp happens once.',
  RATE_LIMITED: 'Too many requests; retry later.',
  CARD_BLOCKED: 'The card number was replaced (lost, stolen or damaged) and no longer finds the member; the member has a new card.',
  MEMBER_CLOSED: 'The membership is closed (or being closed, or merged into another): the member reads their history, nothing is written for them.',
  OPEN_HOLDS: 'The member has open redemption holds; capture or void them (or let them expire) first.',
  OFFER_NOT_AVAILABLE: 'The offer cannot be activated by this member: unknown, retired, outside its window, above the member\'s tier, or not an earn offer.',
  GAME_CLOSED: 'The game is closed: outside its window, or its budget can no longer pay its largest prize.',
  PLAY_LIMIT_REACHED: "The member has played this game as many times today as the game allows (playsPerMemberPerDay, on the coalition's calendar).",
  HOUSEHOLD_FULL: 'The household already holds as many members as the coalition allows (HOUSEHOLD_MAX_MEMBERS); the message says how many.',
  ALREADY_IN_HOUSEHOLD: 'The member is in a household already: in yours (no need to invite them), or, to accept an invitation, in another one (leave it first).',
  INVITATION_EXPIRED: 'The household invitation expired before it was accepted; ask for a new one.',
  TRANSFER_LIMIT_REACHED: 'The transfer would pass the points a member may transfer to their household per calendar year (HOUSEHOLD_TRANSFER_YEARLY_LIMIT); the message says how many are left.',
  PERSISTED_QUERY_NOT_FOUND:
    'Automatic persisted queries: the hash is not known here (yet); send the request again with its query (Apollo PersistedQueryLink does).',
  INTERNAL: 'An unexpected error; details are logged under the request id.',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
};

/** A refusal the client is meant to see: a GraphQL error with a registered code. */
export class AppError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message?: string, extra: Record<string, unknown> = {}) {
    super(message ?? ErrorCodes[code], {
      extensions: { code, ...extra, ...(HTTP_STATUS[code] ? { http: { status: HTTP_STATUS[code] } } : {}) },
    });
    this.code = code;
  }
}

export const unauthenticated = (message?: string): AppError => new AppError('UNAUTHENTICATED', message);
export const forbidden = (message?: string): AppError => new AppError('FORBIDDEN', message);
export const notFound = (what = 'Object'): AppError => new AppError('NOT_FOUND', `${what} not found`);

/** Bad input: `field` is the path inside the operation's `input` argument, for example `purchase.amount`. */
export const badInput = (field: string, message: string): AppError =>
  new AppError('BAD_USER_INPUT', `${field}: ${message}`, { field });

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Codes that clients may see; anything else is masked as INTERNAL. */
export function isPublicCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && code in ErrorCodes;
}

/**
 * The input field a GraphQL request-level error is about, from graphql-js's variable coercion messages:
 * `Variable "$input" got invalid value 12.5 at "input.purchase.amount"` gives `purchase.amount`;
 * `... at "input.purchase"; Field "amount" of required type ... was not provided` gives `purchase.amount`;
 * `Variable "$input" of required type "X!" was not provided` gives `input`. Anything else (a syntax or
 * validation error in the document itself) is about `query`.
 */
export function fieldOfRequestError(message: string): string {
  const variable = /^Variable "\$(\w+)"/.exec(message)?.[1];
  if (!variable) return 'query';
  const at = /got invalid value .*? at "([^"]+)"/.exec(message)?.[1];
  const missing = /Field "(\w+)" of required type .* was not provided/.exec(message)?.[1];
  const path = [...(at ? at.split('.') : [variable]), ...(missing ? [missing] : [])];
  if (path[0] === 'input' && path.length > 1) path.shift();
  return path.join('.');
}

/** Strips "Did you mean ...?" suggestions, which would let unauthenticated callers map the schema. */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean .*\?$/, '');
}
