import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configSchema } from '../../src/config-schema';
import { CHAT_SEARCH_ATTRIBUTES } from '../../src/contract/search-attributes';
import { TEMPORAL_DYNAMIC_CONFIG } from '../../dev/temporal-dynamic-config';

/** No Docker engine runs here, so the compose file is checked statically against the code it deploys. */
interface Service {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
  deploy?: { replicas?: number };
  stop_grace_period?: string;
  volumes?: string[];
  configs?: Array<{ source: string; target: string }>;
}

const root = path.resolve(__dirname, '../..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  configs?: Record<string, { content?: string }>;
};
const services = compose.services;

describe('docker-compose.yml', () => {
  it('when parsed then it has Temporal, its Postgres and Web UI, Redis, the API, the worker and a gateway', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['temporal', 'postgresql', 'temporal-ui', 'redis', 'api', 'worker', 'api-gateway']),
    );
  });

  it('when images are listed then each is pinned to a version tag', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue;
      expect([name, service.image]).toEqual([name, expect.stringMatching(/^[a-z0-9./-]+:\d[\w.-]*$/)]);
    }
    expect(services.temporal.image).toMatch(/^temporalio\/auto-setup:/);
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
    expect(services.postgresql.image).toMatch(/^postgres:/);
    expect(services.redis.image).toMatch(/^redis:/);
  });

  it('when api and worker are built then they come from the Dockerfile in the repo, whose entry runs src/main.ts', () => {
    const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/ENTRYPOINT \[.*"src\/main\.ts"\]/);
    for (const [name, role] of [
      ['api', 'api'],
      ['worker', 'worker'],
    ]) {
      const build = services[name].build;
      const context = typeof build === 'string' ? build : build?.context;
      const file = typeof build === 'object' && build.dockerfile ? build.dockerfile : 'Dockerfile';
      expect(context).toBe('.');
      expect(fs.existsSync(path.join(root, context as string, file))).toBe(true);
      expect(services[name].command).toEqual([role]);
      expect(services[name].deploy?.replicas).toBeGreaterThanOrEqual(2);
    }
  });

  it('when ports are published then they are valid host:container pairs, the API only through the gateway', () => {
    const published: string[] = [];
    for (const service of Object.values(services)) {
      for (const port of service.ports ?? []) {
        const match = /^(\d+):(\d+)$/.exec(port);
        expect(match).not.toBeNull();
        const [, host, container] = (match as RegExpExecArray).map(Number);
        for (const p of [host, container]) {
          expect(p).toBeGreaterThan(0);
          expect(p).toBeLessThan(65536);
        }
        published.push(String(host));
      }
    }
    expect(new Set(published).size).toBe(published.length);
    expect(services.api.ports).toBeUndefined(); // replicas cannot share a host port
    expect(services['api-gateway'].ports).toEqual(['3000:3000']);
    expect(services.temporal.ports).toContain('7233:7233');
  });

  it('when the api and worker set environment variables then each is a key of the config schema', () => {
    const keys = Object.keys(configSchema.shape);
    for (const name of ['api', 'worker']) {
      const env = Object.keys(services[name].environment ?? {});
      expect(env.length).toBeGreaterThan(5);
      expect(env.filter((key) => !keys.includes(key))).toEqual([]);
      expect(
        configSchema.safeParse(
          Object.fromEntries(
            Object.entries(services[name].environment ?? {}).map(([k, v]) => [
              k,
              String(v).replace(/^\$\{[A-Z_]+:-(.*)\}$/, '$1'),
            ]),
          ),
        ).success,
      ).toBe(true);
    }
    expect(services.api.environment).toMatchObject({
      HOST: '0.0.0.0',
      TEMPORAL_ADDRESS: '${TEMPORAL_ADDRESS:-temporal:7233}',
      REDIS_URL: 'redis://redis:6379',
      TRUST_PROXY: 'true',
    });
  });

  it('when services start then each has a health check and the app waits for healthy dependencies', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'temporal-setup') continue; // a one-shot step, waited for by completion
      expect([name, service.healthcheck?.test?.length]).toEqual([name, expect.any(Number)]);
    }
    expect(services['temporal-setup'].depends_on).toMatchObject({ temporal: { condition: 'service_healthy' } });
    for (const name of ['api', 'worker']) {
      expect(services[name].depends_on).toMatchObject({
        'temporal-setup': { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
      });
    }
    expect(services.worker.environment?.WORKER_METRICS_PORT).toBe(9464);
    expect(JSON.stringify(services.worker.healthcheck)).toContain(':9464/health');
  });

  it('when the gateway proxies then it balances over the api service and overwrites X-Forwarded-For', () => {
    const content = compose.configs?.['api-gateway']?.content ?? '';
    expect(content).toMatch(/server api:3000;/);
    expect(content).toMatch(/proxy_set_header X-Forwarded-For \$\$remote_addr;/);
    expect(content).toMatch(/proxy_buffering off;/);
  });

  it('when Temporal starts then it runs with the dynamic config every server of ours runs with', () => {
    const temporal = services.temporal;
    const file = temporal.environment?.DYNAMIC_CONFIG_FILE_PATH;
    expect(temporal.configs).toEqual([{ source: 'temporal-dynamic-config', target: `/etc/temporal/${String(file)}` }]);
    const values = parse(compose.configs?.['temporal-dynamic-config']?.content ?? '') as Record<
      string,
      Array<{ value: unknown }>
    >;
    expect(Object.fromEntries(Object.entries(values).map(([key, [first]]) => [key, first.value]))).toEqual(
      TEMPORAL_DYNAMIC_CONFIG,
    );
  });

  it('when Temporal is set up then every search attribute the workflow sets is created with its type', () => {
    const script = (services['temporal-setup'].command ?? []).join('\n');
    for (const [name, type] of Object.entries(CHAT_SEARCH_ATTRIBUTES)) expect(script).toContain(`${name}:${type}`);
    expect(script).toContain('temporal operator search-attribute create');
  });

  it('when the archive is configured then api and worker share a Postgres database of its own, not a volume', () => {
    const archive = services['archive-db'];
    expect(archive.image).toMatch(/^postgres:/);
    const url = new URL(String(services.api.environment?.DATABASE_URL).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1'));
    expect([url.protocol, url.hostname, url.pathname]).toEqual([
      'postgres:',
      'archive-db',
      `/${archive.environment?.POSTGRES_DB}`,
    ]);
    expect(url.pathname).not.toBe('/temporal'); // not Temporal's database
    for (const name of ['api', 'worker']) {
      expect(services[name].environment?.DATABASE_URL).toBe(services.api.environment?.DATABASE_URL);
      expect(services[name].volumes).toBeUndefined();
      expect(services[name].depends_on).toMatchObject({ 'archive-db': { condition: 'service_healthy' } });
    }
    expect(Object.keys(compose.volumes ?? {})).not.toContain('chat-data');
  });

  it('when Temporal needs TLS or an API key then api and worker pass those variables through, empty by default', () => {
    const passed = [
      'TEMPORAL_TLS_CA',
      'TEMPORAL_TLS_CERT',
      'TEMPORAL_TLS_KEY',
      'TEMPORAL_TLS_SERVER_NAME',
      'TEMPORAL_API_KEY',
    ];
    for (const name of ['api', 'worker']) {
      for (const key of passed) expect([key, services[name].environment?.[key]]).toEqual([key, `\${${key}:-}`]);
      expect(services[name].environment?.TEMPORAL_TLS).toBe('${TEMPORAL_TLS:-false}');
    }
  });

  it('when a worker is stopped then compose waits longer than the shutdown grace time', () => {
    const grace = configSchema.shape.WORKER_SHUTDOWN_GRACE_SECONDS.parse(undefined);
    expect(Number.parseInt(services.worker.stop_grace_period ?? '10s', 10)).toBeGreaterThan(grace);
  });
});
