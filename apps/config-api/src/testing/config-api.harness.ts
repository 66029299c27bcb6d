import { ApiKeyStore, type Role } from '@hookline/access-data-access';
import { generateMasterKey } from '@hookline/shared-crypto';
import { createDataSource, runMigrations } from '@hookline/shared-event-store';
import {
  createTestDatabase,
  integrationEnv,
  startHttpApp,
  type RunningApp,
  type TestDatabase,
} from '@hookline/shared-testing';
import { Logger as PinoLogger } from 'nestjs-pino';
import { Writable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { AppModule, CONFIG_API_MIGRATIONS } from '../app.module';
import { loadConfig } from '../config';
import { serveDashboard } from '../dashboard/serve-dashboard';
import { setupOpenApi } from '../openapi';

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
}

export interface HarnessOptions {
  /** Run the outbox relay (default false). */
  relay?: boolean;
  /** Consume the commands topic (default false): give it a unique topic and group in `env`. */
  commands?: boolean;
  env?: Record<string, string>;
  /** Serve the dashboard from this folder, as main.ts does with HOOKLINE_DASHBOARD_DIR. */
  dashboardDir?: string;
}

/**
 * The config API on a fresh database of the real PostgreSQL server, the real broker, and a
 * capture of every log line it writes. Integration specs only.
 */
export class ConfigApiHarness {
  readonly logs: string[] = [];
  private db!: TestDatabase;
  private running!: RunningApp;
  private dataSource!: DataSource;
  private keys!: ApiKeyStore;

  static async start(options: HarnessOptions = {}) {
    const harness = new ConfigApiHarness();
    await harness.boot(options);
    return harness;
  }

  private async boot(options: HarnessOptions): Promise<void> {
    const infra = integrationEnv();
    this.db = await createTestDatabase('config_api');
    await runMigrations({ url: this.db.url, migrations: CONFIG_API_MIGRATIONS });
    this.dataSource = await createDataSource({
      url: this.db.url,
      migrations: CONFIG_API_MIGRATIONS,
    }).initialize();
    this.keys = new ApiKeyStore(this.dataSource);
    const config = loadConfig({
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      DATABASE_URL: this.db.url,
      HOOKLINE_MASTER_KEY: generateMasterKey('k1'),
      HOOKLINE_LOG_LEVEL: 'debug',
      ...options.env,
    });
    const logDestination = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.logs.push(chunk.toString());
        done();
      },
    });
    this.running = await startHttpApp(
      AppModule.register(config, {
        relay: options.relay ?? false,
        commands: options.commands ?? false,
        logDestination,
      }),
      (app) => {
        setupOpenApi(app);
        if (options.dashboardDir) serveDashboard(app, options.dashboardDir);
      },
    );
    // As runApp does, so what services write with Nest's Logger is captured too.
    this.running.app.useLogger(this.running.app.get(PinoLogger));
  }

  get baseUrl(): string {
    return this.running.baseUrl;
  }

  /** The app's database, for assertions on what it stored. */
  get database(): DataSource {
    return this.dataSource;
  }

  async key(company: string, role: Role): Promise<string> {
    return (await this.keys.create({ company, role, name: `${role} key` })).key;
  }

  async revoke(company: string, key: string): Promise<void> {
    const principal = await this.keys.authenticate(key);
    if (!principal) throw new Error('unknown key');
    await this.keys.revoke(principal.keyId, company);
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<HttpResult<T>> {
    const response = await fetch(`${this.running.baseUrl}${path}`, {
      method,
      headers: {
        ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async stop(): Promise<void> {
    await this.running?.close();
    await this.dataSource?.destroy();
    await this.db?.drop();
  }
}

/** A valid create request; override what a test is about. */
export const validWebhook = (overrides: Record<string, unknown> = {}) => ({
  name: 'Production scan alerts',
  url: 'https://hooks.example.com/hookline',
  type: 'other',
  events: ['scan.completed', 'issue.status_changed'],
  projectIds: ['proj-uuid-9012'],
  statusFilter: ['fixed'],
  headers: { 'X-Automation-Webhook-Token': 'jira-secret-token-value' },
  ...overrides,
});
