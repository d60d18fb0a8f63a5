import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../../lib/src';
import { corsPolicy, parseOrigins } from '../src/cors';
import { gatewayEnv } from '../src/env';

const base = { AUTH_ISSUER: 'https://issuer.example', AUTH_AUDIENCE: 'hub', AUTH_JWKS_FILE: '/dev/null' };

describe('CORS_ORIGINS', () => {
  it('takes exact origins, comma-separated, and none by default', () => {
    expect(parseEnv(gatewayEnv, base).CORS_ORIGINS).toEqual([]);
    expect(parseEnv(gatewayEnv, { ...base, CORS_ORIGINS: 'https://portal.example.com, http://localhost:5173' }).CORS_ORIGINS).toEqual([
      'https://portal.example.com',
      'http://localhost:5173',
    ]);
  });

  it('refuses to start on anything that is not an exact origin, naming it', () => {
    for (const wrong of ['*', 'https://portal.example.com/', 'https://portal.example.com/app', 'portal.example.com', 'https://*.example.com', 'null']) {
      expect(() => parseEnv(gatewayEnv, { ...base, CORS_ORIGINS: `https://ok.example.com,${wrong}` }), wrong).toThrow(ConfigError);
      expect(parseOrigins(wrong).wrong, wrong).toEqual([wrong]);
    }
  });

  it('answers only a listed origin, echoing it', () => {
    const policy = corsPolicy(['https://portal.example.com']);
    const from = (origin?: string) => policy(new Request('http://hub/graphql', { headers: origin ? { origin } : {} }));
    expect(from('https://portal.example.com')).toMatchObject({ origin: ['https://portal.example.com'], credentials: false });
    expect(from('https://portal.example.com:443')).toBe(false);
    expect(from('https://evil.example.net')).toBe(false);
    expect(from()).toBe(false);
  });
});
