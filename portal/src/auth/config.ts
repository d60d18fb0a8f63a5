/** How people sign in here, as the gateway says (GET /portal/config.json). */
export interface DemoIdentity {
  key: string;
  kind: 'admin' | 'partner' | 'charity' | 'member';
  name: string;
}

export type PortalConfig =
  | { signIn: 'demo'; demo: { identities: DemoIdentity[] } }
  | { signIn: 'oidc'; oidc: { issuer: string; clientId: string; scope: string; resource?: string } }
  | { signIn: 'none'; reason: string };

/** The hub did not answer as it should (shown as "the hub could not be reached"). */
export class HubUnavailableError extends Error {}

export async function loadConfig(): Promise<PortalConfig> {
  const response = await fetch('/portal/config.json', { headers: { accept: 'application/json' } }).catch((e: Error) => {
    throw new HubUnavailableError(e.message);
  });
  if (!response.ok) throw new HubUnavailableError(`GET /portal/config.json answered ${response.status}`);
  return (await response.json()) as PortalConfig;
}

export interface DemoToken {
  token: string;
  identity: { kind: DemoIdentity['kind'] | 'person'; name: string; id?: string; subject?: string };
  expiresAt: string;
}

/** A token for one seeded demo identity, or `person` (a new person who may sign up). */
export async function demoSignIn(identity: string): Promise<DemoToken> {
  const response = await fetch('/portal/demo/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ identity }),
  });
  const body = (await response.json().catch(() => null)) as (DemoToken & { errors?: { message: string }[] }) | null;
  if (!response.ok || !body?.token) throw new Error(body?.errors?.[0]?.message ?? `Sign-in failed (${response.status})`);
  return body;
}
