import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { donationsSubgraph } from '../subgraphs/donations/src/subgraph';
import { membersSubgraph } from '../subgraphs/members/src/subgraph';
import { partnersSubgraph } from '../subgraphs/partners/src/subgraph';
import { pointsSubgraph } from '../subgraphs/points/src/subgraph';

const ROOT = join(__dirname, '..');
// Debian's docker-compose (v1) validates and prints the resolved file without a Docker engine.
const binary = spawnSync('docker-compose', ['--version'], { encoding: 'utf8' });
const missing = binary.error || binary.status !== 0 ? 'docker-compose is not installed (Debian: apt-get install docker-compose); the compose file is not checked' : undefined;
if (missing) console.warn(`compose.test.ts skipped: ${missing}`);

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  volumes?: (string | { source: string; target: string; read_only?: boolean })[];
  depends_on?: Record<string, { condition: string }>;
  ports?: unknown[];
  healthcheck?: { test: string[] };
}

const SUBGRAPHS = [membersSubgraph, pointsSubgraph, partnersSubgraph, donationsSubgraph];
/** Exactly the subgraphs startSubgraph refuses to start without the hub's service key. */
const needsKey = SUBGRAPHS.filter((d) => (d.internalOperations?.length ?? 0) > 0 || d.callsInternalOperations === true).map((d) => d.name).sort();

const mounts = (service: Service) => (service.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}${v.read_only ? ':ro' : ''}`));

describe.skipIf(missing !== undefined)('docker-compose.yml', () => {
  let cached: { services: Record<string, Service>; volumes: Record<string, unknown> } | undefined;
  const resolved = () => {
    if (cached) return cached;
    // The interpolation a user gets with no .env file: every ${VAR:-default} at its default.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };
    const text = execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: ROOT, env, encoding: 'utf8' });
    cached = parse(text) as { services: Record<string, Service>; volumes: Record<string, unknown> };
    return cached;
  };

  it('validates, and runs PostgreSQL, the key maker, the four subgraphs and the gateway', () => {
    const config = resolved();
    expect(Object.keys(config.services).sort()).toEqual(['donations', 'gateway', 'members', 'partners', 'points', 'postgres', 'service-key']);
    expect(Object.keys(config.volumes).sort()).toEqual(['pgdata', 'service-keys']);
    // Only the gateway is published.
    expect(Object.entries(config.services).filter(([, s]) => s.ports?.length).map(([name]) => name)).toEqual(['gateway']);
    for (const definition of SUBGRAPHS) {
      const service = config.services[definition.name];
      expect(service.command, definition.name).toEqual(['node', `dist/subgraphs/${definition.name}/src/index.js`]);
      expect(existsSync(join(ROOT, 'subgraphs', definition.name, 'src', 'index.ts')), definition.name).toBe(true);
      expect(service.environment?.PORT, definition.name).toBe(String(definition.defaultPort));
      expect(service.healthcheck?.test.join(' '), definition.name).toContain(`127.0.0.1:${definition.defaultPort}/readyz`);
      expect(service.depends_on?.postgres?.condition, definition.name).toBe('service_healthy');
      // The gateway finds each subgraph on its service name and port.
      expect(config.services.gateway.environment?.[`${definition.name.toUpperCase()}_URL`]).toBe(`http://${definition.name}:${definition.defaultPort}/graphql`);
    }
  });

  it('gives every subgraph that serves or calls internal operations the service key, and no other service', () => {
    const config = resolved();
    expect(needsKey.length).toBeGreaterThan(0);
    const withKey = Object.entries(config.services)
      .filter(([name, s]) => name !== 'service-key' && mounts(s).includes('service-keys:/service-keys:ro'))
      .map(([name]) => name)
      .sort();
    expect(withKey).toEqual(needsKey);
    for (const name of needsKey) {
      const service = config.services[name];
      expect(service.environment?.SERVICE_SIGNING_KEY_FILE, name).toBe('/service-keys/service-key.json');
      expect(service.depends_on?.['service-key']?.condition, name).toBe('service_completed_successfully');
    }
    // The key maker writes into the same volume, as root, handing the file to the image's node user.
    expect(mounts(config.services['service-key'])).toEqual(['service-keys:/service-keys:rw']);
  });

  it('matches the README: the command to run it and the subgraphs holding the key', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### With Docker Compose'), readme.indexOf('\n## ', readme.indexOf('### With Docker Compose')));
    expect(section).toContain('docker-compose up --build');
    expect(section).toContain('docker-compose -f docker-compose.yml config');
    const listed = /read the hub's service key from the `service-keys` volume \(([^)]*)\)/.exec(section)?.[1];
    expect(listed?.split(/,\s*|\s+and\s+/).map((s) => s.replace(/`/g, '').trim()).sort()).toEqual(needsKey);
  });
});
