import * as oauth from 'oauth4webapi';

/**
 * Sign-in at an external identity provider: OpenID Connect's authorization-code flow with PKCE (S256), for a
 * public client (no secret in a browser), with oauth4webapi. The verifier and state wait in sessionStorage
 * for the provider to send the browser back to /callback.
 */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  scope: string;
  resource?: string;
}

const PENDING = 'coalition-hub.oidc';

const redirectUri = () => `${window.location.origin}/callback`;

/** http issuers only on this machine (a local test provider); anything else must be https. */
const insecureAllowed = (issuer: URL) => issuer.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);

async function discover(settings: OidcSettings) {
  const issuer = new URL(settings.issuer);
  const options = insecureAllowed(issuer) ? { [oauth.allowInsecureRequests]: true, algorithm: 'oidc' as const } : { algorithm: 'oidc' as const };
  const response = await oauth.discoveryRequest(issuer, options);
  return { as: await oauth.processDiscoveryResponse(issuer, response), options };
}

export async function startOidcSignIn(settings: OidcSettings): Promise<void> {
  const { as } = await discover(settings);
  if (!as.authorization_endpoint) throw new Error('The identity provider has no authorization endpoint');
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  sessionStorage.setItem(PENDING, JSON.stringify({ codeVerifier, state, nonce }));
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', settings.scope);
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  if (settings.resource) url.searchParams.set('resource', settings.resource);
  window.location.assign(url.toString());
}

/** Completes the flow on /callback: checks the state, trades the code (with the verifier) for tokens. */
export async function completeOidcSignIn(settings: OidcSettings, current: URL): Promise<{ accessToken: string; name?: string }> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { codeVerifier: string; state: string; nonce: string } | null;
  sessionStorage.removeItem(PENDING);
  if (!pending) throw new Error('No sign-in was started in this tab');
  const { as, options } = await discover(settings);
  const client: oauth.Client = { client_id: settings.clientId };
  const params = oauth.validateAuthResponse(as, client, current, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri(), pending.codeVerifier, {
    ...options,
    additionalParameters: settings.resource ? { resource: settings.resource } : undefined,
  });
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: settings.scope.split(' ').includes('openid') });
  const claims = oauth.getValidatedIdTokenClaims(result);
  const name = typeof claims?.name === 'string' ? claims.name : typeof claims?.sub === 'string' ? claims.sub : undefined;
  return { accessToken: result.access_token, name };
}
