/**
 * `npm run topics:create`: creates every topic of the platform from the same catalog the apps
 * use (names, partitions, replication factor, min.insync.replicas, compaction, sizes), for
 * operators whose brokers do not let apps create topics. Topics that exist are checked, never
 * changed; one configured against what the apps need is reported and the exit code is 1.
 * `--dry-run` prints the catalog without connecting.
 */
import { ConfigError, parseEnv } from '@hookline/shared-config';
import {
  createKafka,
  ensureTopics,
  KAFKA_CONNECTION_SETTINGS,
  kafkaConnection,
  TOPIC_SETTINGS,
  topicCatalog,
} from '@hookline/shared-kafka';

export async function createPlatformTopics(
  source: NodeJS.ProcessEnv,
  options: { dryRun?: boolean; write?: (line: string) => void } = {},
): Promise<{ created: string[]; checked: string[] }> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const settings = parseEnv({ ...KAFKA_CONNECTION_SETTINGS, ...TOPIC_SETTINGS }, source);
  const catalog = topicCatalog(settings);
  for (const topic of catalog.topics) {
    const config = Object.entries(topic.config ?? {})
      .map(([name, value]) => `${name}=${value}`)
      .join(' ');
    write(
      `${topic.topic}  partitions=${topic.numPartitions} replication=${topic.replicationFactor} ${config}  (${topic.role}; ${topic.usedBy.join(', ')})`,
    );
  }
  if (options.dryRun) return { created: [], checked: [] };
  const connection = kafkaConnection(settings);
  const kafka = createKafka({
    brokers: connection.brokers,
    security: connection.security,
    clientId: 'hookline-topics-create',
  });
  const created = await ensureTopics(kafka, catalog.topics);
  const checked = catalog.topics.map((topic) => topic.topic).filter((t) => !created.includes(t));
  write(
    `created ${created.length} topic(s)${created.length > 0 ? `: ${created.join(', ')}` : ''}; ${checked.length} existed and match`,
  );
  return { created, checked };
}

if (require.main === module) {
  createPlatformTopics(process.env, { dryRun: process.argv.includes('--dry-run') }).catch(
    (error: unknown) => {
      console.error(
        error instanceof ConfigError || !(error instanceof Error) ? String(error) : error.message,
      );
      process.exit(1);
    },
  );
}
