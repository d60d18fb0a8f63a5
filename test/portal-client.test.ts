import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { generatePortalClient, PORTAL_MANIFEST, publicSchemaSdl, REPO_ROOT } from '../scripts/lib/portal-codegen';
import { trustedOnlyFetch, UntrustedDocumentError } from '../portal/src/api/client';
import { en } from '../portal/src/i18n/en';
import { nb } from '../portal/src/i18n/nb';

/**
 * The portal sends trusted documents only, and the manifest the gateway trusts is generated from the portal's
 * sources: a document the portal uses that the committed manifest lacks (or a stale one) fails here.
 */
describe('the portal\'s trusted documents', () => {
  it('the committed manifest and typed documents are exactly what the portal\'s sources generate', { timeout: 60_000 }, async () => {
    const generated = await generatePortalClient();
    const drift = generated.filter((file) => readFileSync(join(REPO_ROOT, file.path), 'utf8') !== file.content).map((file) => file.path);
    expect(drift, 'run `npm run portal:generate` and commit the result').toEqual([]);
    expect(generated.map((f) => f.path)).toContain(PORTAL_MANIFEST);
  });

  it('every manifest entry is named by its SHA-256 and valid against the public schema', () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, PORTAL_MANIFEST), 'utf8')) as Record<string, string>;
    const schema = buildSchema(publicSchemaSdl());
    expect(Object.keys(manifest).length).toBeGreaterThan(15);
    for (const [id, body] of Object.entries(manifest)) {
      expect(id).toBe(`sha256:${createHash('sha256').update(body).digest('hex')}`);
      expect(validate(schema, parse(body)).map((e) => e.message)).toEqual([]);
    }
  });

  it('the public schema hides what the gateway hides', () => {
    const sdl = publicSchemaSdl();
    expect(sdl).toContain('type Query');
    for (const hidden of ['linkedMember', 'memberStatus', 'join__', '@inaccessible', 'closeMemberAccount']) expect(sdl).not.toContain(hidden);
  });

  it('the client never sends query text', async () => {
    await expect(trustedOnlyFetch('http://127.0.0.1:9/graphql', { method: 'POST', body: JSON.stringify({ query: '{ me { id } }' }) })).rejects.toBeInstanceOf(UntrustedDocumentError);
  });
});

describe('the portal\'s copy', () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  it('Norwegian Bokmål has every English key, with the same placeholders, and none empty', () => {
    expect(Object.keys(nb).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(nb[key]), key).toEqual(placeholders(en[key]));
      expect(nb[key].trim(), key).not.toBe('');
    }
  });

  it('names every value of the enums the pages show', () => {
    const schema = buildSchema(publicSchemaSdl());
    const shown: Record<string, string> = {
      PointsTransactionKind: 'kind',
      AwardKind: 'award',
      OfferKind: 'offerKind',
      PartnerStatus: 'status',
      CharityStatus: 'status',
      CharityVerification: 'verification',
      CardStatus: 'card',
      CardReplacementReason: 'card.reason',
      ReceiptKind: 'giving',
      TierKeptBy: 'tierKeptBy',
    };
    for (const [type, prefix] of Object.entries(shown)) {
      const values = (schema.getType(type) as import('graphql').GraphQLEnumType).getValues().map((v) => v.name);
      for (const value of values) expect(en, `${type}.${value}`).toHaveProperty([`${prefix}.${value}`]);
    }
  });
});
