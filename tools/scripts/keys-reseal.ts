/**
 * `npm run keys:reseal`: seals every live webhook's signing secrets and custom header values
 * again under the first (active) key of HOOKLINE_MASTER_KEY, as `WebhookSecretsResealed` events
 * in the event store, in the database named by DATABASE_URL. Then reports what still needs an
 * older key. Retiring a master key:
 *
 *   1. put the new key first: HOOKLINE_MASTER_KEY=new:...,old:... on every app, restart them;
 *   2. npm run keys:reseal (with the same HOOKLINE_MASTER_KEY);
 *   3. once it exits 0 and the config API's relay has published its outbox (`outboxPending` 0),
 *      remove the old key from HOOKLINE_MASTER_KEY and restart the apps.
 *
 * The report goes to stdout as JSON, a summary to stderr. Exit code 0 when nothing live needs an
 * older key any more, 1 when something does (or on an error), 2 on a usage mistake.
 */
import { redactUrl } from '@hookline/shared-config';
import { CryptoError, MASTER_KEY_ENV, parseMasterKeys } from '@hookline/shared-crypto';
import { createDataSource, PostgresEventStore } from '@hookline/shared-event-store';
import { resealWebhookSecrets, WebhookStore } from '@hookline/webhooks-data-access';
import { randomUUID } from 'node:crypto';
import { ALL_MIGRATIONS } from './migrations';

const USAGE = `usage: npm run keys:reseal

Needs DATABASE_URL and HOOKLINE_MASTER_KEY (the new key first, the keys to retire after it).`;

class UsageError extends Error {}

async function main(): Promise<boolean> {
  if (process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) {
    console.error(USAGE);
    return true;
  }
  if (process.argv.length > 2) throw new UsageError(`unknown arguments: ${process.argv.slice(2)}`);
  const url = process.env['DATABASE_URL'];
  if (!url) throw new UsageError('DATABASE_URL is required (npm run infra:up prints one)');
  const masterKeys = process.env[MASTER_KEY_ENV];
  if (!masterKeys) throw new UsageError(`${MASTER_KEY_ENV} is required`);
  const keyRing = parseMasterKeys(masterKeys, MASTER_KEY_ENV);

  const dataSource = createDataSource({
    url,
    migrations: ALL_MIGRATIONS,
    applicationName: 'hookline-keys-reseal',
    poolSize: 2,
  });
  await dataSource.initialize();
  try {
    const store = new WebhookStore(dataSource, new PostgresEventStore(dataSource));
    const correlationId = `keys-reseal-${randomUUID()}`;
    console.error(
      `re-sealing under master key "${keyRing.activeKeyId}" in ${redactUrl(url)} ` +
        `(correlation id ${correlationId})`,
    );
    const report = await resealWebhookSecrets(dataSource, store, keyRing, { correlationId });
    console.log(JSON.stringify(report, null, 2));
    const oldKeys = Object.keys(report.liveValuesByOldKey);
    console.error(
      `${report.webhooks} webhooks, ${report.resealed} re-sealed (${report.values} values); ` +
        (oldKeys.length === 0 && report.failures.length === 0
          ? `every live value now opens with "${report.activeKeyId}" alone.`
          : `still under older keys: ${oldKeys.join(', ') || 'none'}; ` +
            `${report.failures.length} webhooks could not be opened (see failures).`),
    );
    if (report.outboxPending > 0) {
      console.error(
        `${report.outboxPending} webhooks.config records are not published yet: keep the old ` +
          'key until the config API has relayed them.',
      );
    }
    return oldKeys.length === 0 && report.failures.length === 0;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (done) => {
    if (!done) process.exitCode = 1;
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof CryptoError) {
      console.error(`keys:reseal: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    console.error(`keys:reseal: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
