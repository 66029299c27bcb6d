import { randomBytes } from 'node:crypto';

export interface KafkaBrokerSettings {
  readonly host: string;
  readonly brokerPort: number;
  readonly controllerPort: number;
  readonly dataDir: string;
}

export type Properties = ReadonlyArray<readonly [key: string, value: string]>;

const NODE_ID = 1;

/**
 * A single-node KRaft cluster (one process is both broker and controller) on the loopback
 * interface only.
 *
 * The replication settings matter: their defaults (3) cannot be met by one broker, so the
 * internal `__consumer_offsets` topic is never created and consumers never find a group
 * coordinator. Topic auto-creation is off so that a topic the code forgot to provision fails
 * here as it would in production, instead of appearing with one partition and default configs.
 */
export function kafkaServerProperties(settings: KafkaBrokerSettings): Properties {
  const { host, brokerPort, controllerPort } = settings;
  return [
    ['process.roles', 'broker,controller'],
    ['node.id', String(NODE_ID)],
    // A static voter set: the formatted storage records no address, so ports may change later.
    ['controller.quorum.voters', `${NODE_ID}@${host}:${controllerPort}`],
    ['listeners', `PLAINTEXT://${host}:${brokerPort},CONTROLLER://${host}:${controllerPort}`],
    ['advertised.listeners', `PLAINTEXT://${host}:${brokerPort}`],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['listener.security.protocol.map', 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT'],
    ['log.dirs', settings.dataDir],
    ['num.partitions', '1'],
    ['default.replication.factor', '1'],
    ['min.insync.replicas', '1'],
    ['offsets.topic.replication.factor', '1'],
    ['transaction.state.log.replication.factor', '1'],
    ['transaction.state.log.min.isr', '1'],
    ['group.initial.rebalance.delay.ms', '0'],
    ['auto.create.topics.enable', 'false'],
    ['delete.topic.enable', 'true'],
    // Sized for a 2-core development machine rather than a production host.
    ['num.network.threads', '2'],
    ['num.io.threads', '4'],
    ['num.recovery.threads.per.data.dir', '1'],
  ];
}

/** The broker logs to stdout, which `up` sends to `.hookline/logs/kafka.log`. */
export function kafkaLog4jProperties(rootLevel: 'INFO' | 'WARN'): Properties {
  return [
    ['log4j.rootLogger', `${rootLevel}, stdout`],
    ['log4j.appender.stdout', 'org.apache.log4j.ConsoleAppender'],
    ['log4j.appender.stdout.layout', 'org.apache.log4j.PatternLayout'],
    ['log4j.appender.stdout.layout.ConversionPattern', '[%d] %p %m (%c)%n'],
    ['log4j.logger.kafka.request.logger', 'WARN'],
    ['log4j.logger.kafka.authorizer.logger', 'WARN'],
    ['log4j.logger.state.change.logger', 'WARN'],
  ];
}

/** Renders a Java `.properties` file, escaping what `java.util.Properties.load` would misread. */
export function renderProperties(properties: Properties, header?: string): string {
  const lines = header === undefined ? [] : header.split('\n').map((line) => `# ${line}`);
  for (const [key, value] of properties) {
    lines.push(`${escapeProperty(key, true)}=${escapeProperty(value, false)}`);
  }
  return `${lines.join('\n')}\n`;
}

function escapeProperty(text: string, isKey: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    const code = text.charCodeAt(i);
    if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (char === ' ' && (isKey || i === 0)) out += '\\ ';
    else if (isKey && (char === '=' || char === ':')) out += `\\${char}`;
    else if ((i === 0 || isKey) && (char === '#' || char === '!')) out += `\\${char}`;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return out;
}

/**
 * Reads the simple `key=value` files Kafka writes (`meta.properties`): comments, blank lines and
 * `key=value` or `key:value` pairs, with the escapes `renderProperties` produces.
 */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trimStart();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    let separator = -1;
    for (let i = 0; i < line.length; i++) {
      if (line[i] === '\\') {
        i++;
        continue;
      }
      if (line[i] === '=' || line[i] === ':') {
        separator = i;
        break;
      }
    }
    const key = separator === -1 ? line : line.slice(0, separator);
    const value = separator === -1 ? '' : line.slice(separator + 1);
    result.set(unescapeProperty(key.trimEnd()), unescapeProperty(value.trimStart()));
  }
  return result;
}

function unescapeProperty(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_match, escaped: string) => {
    if (escaped.length === 5) return String.fromCharCode(parseInt(escaped.slice(1), 16));
    if (escaped === 'n') return '\n';
    if (escaped === 'r') return '\r';
    if (escaped === 't') return '\t';
    return escaped;
  });
}

/**
 * A cluster id as Kafka's `Uuid.randomUuid()` makes it: 16 random bytes, base64url without
 * padding (22 characters), never starting with '-' (the CLI would read it as an option).
 */
export function generateClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface SecureKafkaBrokerSettings extends KafkaBrokerSettings {
  /** PKCS12 files made by `openssl pkcs12` and `keytool`, and their password. */
  readonly keystoreFile: string;
  readonly truststoreFile: string;
  readonly storePassword: string;
  /** The broker's own PLAIN user, for its connections to itself over the SASL_SSL listener. */
  readonly interBroker: { readonly username: string; readonly password: string };
  /** Client users of the PLAIN mechanism; SCRAM users are stored by `StorageTool --add-scram`. */
  readonly plainUsers: ReadonlyArray<{ readonly username: string; readonly password: string }>;
}

/** A JAAS option value: quoted, with quotes and backslashes escaped. */
const jaasValue = (value: string): string => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * The single-node KRaft broker of {@link kafkaServerProperties} with its client listener on
 * SASL_SSL, the way managed clusters serve (MSK, Confluent, Aiven): TLS from a PKCS12 keystore,
 * SASL PLAIN and SCRAM-SHA-256/512 with their JAAS configuration per listener. The controller
 * stays on plaintext loopback.
 */
export function secureKafkaServerProperties(settings: SecureKafkaBrokerSettings): Properties {
  const { host, brokerPort, controllerPort } = settings;
  const overrides = new Map<string, string>([
    ['listeners', `SASL_SSL://${host}:${brokerPort},CONTROLLER://${host}:${controllerPort}`],
    ['advertised.listeners', `SASL_SSL://${host}:${brokerPort}`],
    ['inter.broker.listener.name', 'SASL_SSL'],
    ['listener.security.protocol.map', 'CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL'],
  ]);
  const base = kafkaServerProperties(settings).map(
    ([key, value]) => [key, overrides.get(key) ?? value] as const,
  );
  const users = [settings.interBroker, ...settings.plainUsers]
    .map(({ username, password }) => `user_${username}=${jaasValue(password)}`)
    .join(' ');
  const plainJaas =
    'org.apache.kafka.common.security.plain.PlainLoginModule required ' +
    `username=${jaasValue(settings.interBroker.username)} ` +
    `password=${jaasValue(settings.interBroker.password)} ${users};`;
  const scramJaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  return [
    ...base,
    ['sasl.enabled.mechanisms', 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512'],
    ['sasl.mechanism.inter.broker.protocol', 'PLAIN'],
    ['listener.name.sasl_ssl.plain.sasl.jaas.config', plainJaas],
    ['listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config', scramJaas],
    ['listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config', scramJaas],
    ['ssl.keystore.type', 'PKCS12'],
    ['ssl.keystore.location', settings.keystoreFile],
    ['ssl.keystore.password', settings.storePassword],
    ['ssl.key.password', settings.storePassword],
    ['ssl.truststore.type', 'PKCS12'],
    ['ssl.truststore.location', settings.truststoreFile],
    ['ssl.truststore.password', settings.storePassword],
    ['ssl.client.auth', 'none'],
  ];
}

/** StorageTool's list syntax has no escapes: a comma or bracket would split the entry. */
function scramValue(value: string): string {
  if (/[,[\]=\s"]/.test(value))
    throw new Error(`a SCRAM user or password may not hold , [ ] = " or spaces`);
  return value;
}

/** `StorageTool format --add-scram` arguments: SCRAM users are stored in the KRaft metadata. */
export function scramFormatArguments(
  users: ReadonlyArray<{ mechanism: SaslMechanism; username: string; password: string }>,
): string[] {
  return users
    .filter((user) => user.mechanism !== 'PLAIN')
    .flatMap((user) => [
      '--add-scram',
      `${user.mechanism}=[name=${scramValue(user.username)},password=${scramValue(user.password)}]`,
    ]);
}

/** One node of a local cluster: its id (1..n) and its two listeners. */
export interface ClusterNodePorts {
  readonly nodeId: number;
  readonly brokerPort: number;
  readonly controllerPort: number;
}

/**
 * The ports of an `n`-node cluster from the two port settings: node i (from 0) listens on
 * `brokerPort + 2i` and `controllerPort + 2i`, so the defaults (9092, 9093) give brokers on 9092,
 * 9094, 9096 and controllers on 9093, 9095, 9097. Two settings whose ranges overlap are refused.
 */
export function clusterNodePorts(
  brokerPort: number,
  controllerPort: number,
  count: number,
): ClusterNodePorts[] {
  if (!Number.isInteger(count) || count < 1 || count > 9) {
    throw new Error(`a local cluster has 1 to 9 brokers, got ${count}`);
  }
  const nodes = Array.from({ length: count }, (_, i) => ({
    nodeId: i + 1,
    brokerPort: brokerPort + 2 * i,
    controllerPort: controllerPort + 2 * i,
  }));
  const taken = nodes.flatMap((node) => [node.brokerPort, node.controllerPort]);
  if (new Set(taken).size !== taken.length || taken.some((port) => port > 65_535)) {
    throw new Error(
      `the broker ports (${brokerPort} + 2i) and controller ports (${controllerPort} + 2i) of a ` +
        `${count}-broker cluster overlap or leave the port range: give HOOKLINE_KAFKA_PORT and ` +
        'HOOKLINE_KAFKA_CONTROLLER_PORT an odd difference and room for the cluster',
    );
  }
  return nodes;
}

/**
 * One node of a local KRaft cluster of combined broker and controller nodes (all voters of one
 * static quorum), on the loopback interface. Unlike the single node, the cluster holds its
 * internal topics as production does: replication factor 3 (or the node count, when smaller)
 * and `min.insync.replicas` 2, so a write acknowledged by all in-sync replicas survives the
 * loss of any one broker, and the offsets of consumer groups do too.
 */
export function kafkaClusterNodeProperties(
  settings: KafkaBrokerSettings & { readonly nodeId: number },
  nodes: readonly ClusterNodePorts[],
): Properties {
  const replicas = String(Math.min(3, nodes.length));
  const minInsync = String(Math.min(2, nodes.length));
  const overrides = new Map<string, string>([
    ['node.id', String(settings.nodeId)],
    [
      'controller.quorum.voters',
      nodes.map((node) => `${node.nodeId}@${settings.host}:${node.controllerPort}`).join(','),
    ],
    ['default.replication.factor', replicas],
    ['min.insync.replicas', minInsync],
    ['offsets.topic.replication.factor', replicas],
    ['transaction.state.log.replication.factor', replicas],
    ['transaction.state.log.min.isr', minInsync],
  ]);
  return [
    ...kafkaServerProperties(settings).map(
      ([key, value]) => [key, overrides.get(key) ?? value] as const,
    ),
    // A replica that lost its leader's data (a node killed mid-write) never becomes leader.
    ['unclean.leader.election.enable', 'false'],
  ];
}
