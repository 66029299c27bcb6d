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
