/** Who is signed in: the bearer token the portal sends, and what it may show (from the token's claims). */
export type SessionKind = 'member' | 'partner' | 'charity' | 'admin' | 'person';

export interface Session {
  token: string;
  kind: SessionKind;
  name: string;
  /** partner_id, charity_id or member_id when the token names one. */
  id?: string;
  expiresAt: string;
  source: 'demo' | 'oidc';
}

const KEY = 'coalition-hub.session';

/** The token's claims, read for display and routing only: the gateway verifies every token. */
export function claimsOf(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) return {};
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function scopesOf(claims: Record<string, unknown>): string[] {
  const scope = claims.scope ?? claims.scp;
  if (Array.isArray(scope)) return scope.map(String);
  return typeof scope === 'string' ? scope.split(/\s+/).filter(Boolean) : [];
}

/** A session from a token an identity provider issued: its kind follows its claims. */
export function sessionFromToken(token: string, source: Session['source'], name?: string): Session {
  const claims = claimsOf(token);
  const scopes = scopesOf(claims);
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + 3_600_000;
  const base = { token, source, expiresAt: new Date(exp).toISOString() };
  if (typeof claims.partner_id === 'string') return { ...base, kind: 'partner', id: claims.partner_id, name: name ?? String(claims.sub ?? '') };
  if (typeof claims.charity_id === 'string') return { ...base, kind: 'charity', id: claims.charity_id, name: name ?? String(claims.sub ?? '') };
  if (scopes.includes('admin')) return { ...base, kind: 'admin', name: name ?? String(claims.sub ?? '') };
  const memberId = typeof claims.member_id === 'string' ? claims.member_id : undefined;
  if (scopes.includes('member')) return { ...base, kind: 'member', id: memberId, name: name ?? String(claims.sub ?? '') };
  return { ...base, kind: 'person', name: name ?? String(claims.sub ?? '') };
}

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    if (Date.parse(session.expiresAt) <= Date.now()) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

/** Where each kind of account starts. */
export const HOME: Record<SessionKind, string> = {
  member: '/member',
  person: '/sign-up',
  partner: '/partner',
  charity: '/charity',
  admin: '/operator',
};
