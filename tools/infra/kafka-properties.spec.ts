import {
  clusterNodePorts,
  generateClusterId,
  kafkaClusterNodeProperties,
  kafkaServerProperties,
  parseProperties,
  renderProperties,
  scramFormatArguments,
  secureKafkaServerProperties,
} from './kafka-properties';

const settings = {
  host: '127.0.0.1',
  brokerPort: 19092,
  controllerPort: 19093,
  dataDir: '/repo/.hookline/data/kafka',
};

describe('kafkaServerProperties', () => {
  const properties = new Map(kafkaServerProperties(settings));

  it('lets a single broker host the internal topics, so consumer groups find a coordinator', () => {
    expect(properties.get('offsets.topic.replication.factor')).toBe('1');
    expect(properties.get('transaction.state.log.replication.factor')).toBe('1');
    expect(properties.get('transaction.state.log.min.isr')).toBe('1');
    expect(properties.get('group.initial.rebalance.delay.ms')).toBe('0');
  });

  it('runs broker and controller in one KRaft process that votes for itself', () => {
    expect(properties.get('process.roles')).toBe('broker,controller');
    expect(properties.get('controller.quorum.voters')).toBe(
      `${properties.get('node.id')}@127.0.0.1:19093`,
    );
  });

  it('listens on the loopback interface only, on the configured ports', () => {
    expect(properties.get('listeners')).toBe(
      'PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093',
    );
    expect(properties.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19092');
    expect(properties.get('log.dirs')).toBe(settings.dataDir);
  });

  it('does not create topics on first use: every topic must be provisioned', () => {
    expect(properties.get('auto.create.topics.enable')).toBe('false');
  });

  it('names every key once', () => {
    const keys = kafkaServerProperties(settings).map(([key]) => key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('renderProperties and parseProperties', () => {
  it('round-trip values that java.util.Properties would otherwise misread', () => {
    const tricky: Array<[string, string]> = [
      ['log.dirs', 'C:\\hookline\\data\\kafka'],
      ['key:with=separators', 'value = with: separators'],
      ['leading', '  spaced'],
      ['hash', '#not a comment'],
      ['unicode', 'caf\u00e9'],
      ['empty', ''],
    ];
    const text = renderProperties(tricky, 'header line');
    expect(text.startsWith('# header line\n')).toBe(true);
    expect(text).toContain('log.dirs=C:\\\\hookline\\\\data\\\\kafka\n');
    expect([...parseProperties(text)]).toEqual(tricky);
  });

  it('reads the meta.properties Kafka writes when it formats the storage', () => {
    const meta = [
      '#',
      '#Thu Nov 26 20:39:08 UTC 2026',
      'node.id=1',
      'directory.id=TqhypSC2GRuez3m6PtKQNw',
      'version=1',
      'cluster.id=AO7C3lPWweyFGtoxyqrNpw',
      '',
    ].join('\n');
    const parsed = parseProperties(meta);
    expect(parsed.get('cluster.id')).toBe('AO7C3lPWweyFGtoxyqrNpw');
    expect(parsed.size).toBe(4);
  });
});

describe('generateClusterId', () => {
  it('is 16 bytes as unpadded base64url, like Kafka Uuid.randomUuid()', () => {
    const id = generateClusterId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
  });

  it('never starts with "-", which the storage tool would read as an option', () => {
    // 0xf8 encodes to "-" as the first base64url character.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x01)];
    const random = jest.fn((size: number) => draws.shift() ?? Buffer.alloc(size, 0x02));
    const id = generateClusterId(random);
    expect(id.startsWith('-')).toBe(false);
    expect(id).toBe(Buffer.alloc(16, 0x01).toString('base64url'));
    expect(random).toHaveBeenCalledTimes(2);
  });
});

describe('secureKafkaServerProperties', () => {
  const properties = new Map(
    secureKafkaServerProperties({
      ...settings,
      keystoreFile: '/s/keystore.p12',
      truststoreFile: '/s/truststore.p12',
      storePassword: 'store-pw',
      interBroker: { username: 'broker', password: 'b"pw' },
      plainUsers: [{ username: 'svc', password: 'svc-pw' }],
    }),
  );

  it('serves clients and the broker itself on SASL_SSL only, the controller on loopback', () => {
    expect(properties.get('listeners')).toBe(
      'SASL_SSL://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093',
    );
    expect(properties.get('advertised.listeners')).toBe('SASL_SSL://127.0.0.1:19092');
    expect(properties.get('inter.broker.listener.name')).toBe('SASL_SSL');
    expect(properties.get('listener.security.protocol.map')).toBe(
      'CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL',
    );
  });

  it('enables PLAIN and both SCRAMs, with PLAIN users and the escaped broker password in JAAS', () => {
    expect(properties.get('sasl.enabled.mechanisms')).toBe('PLAIN,SCRAM-SHA-256,SCRAM-SHA-512');
    expect(properties.get('listener.name.sasl_ssl.plain.sasl.jaas.config')).toBe(
      'org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" ' +
        'password="b\\"pw" user_broker="b\\"pw" user_svc="svc-pw";',
    );
    expect(properties.get('ssl.keystore.location')).toBe('/s/keystore.p12');
    expect(properties.get('ssl.truststore.type')).toBe('PKCS12');
  });
});

describe('scramFormatArguments', () => {
  it('adds each SCRAM user for StorageTool and leaves PLAIN users to JAAS', () => {
    expect(
      scramFormatArguments([
        { mechanism: 'SCRAM-SHA-512', username: 'a', password: 'pw-a' },
        { mechanism: 'PLAIN', username: 'b', password: 'pw-b' },
      ]),
    ).toEqual(['--add-scram', 'SCRAM-SHA-512=[name=a,password=pw-a]']);
  });

  it('refuses a value StorageTool would split', () => {
    expect(() =>
      scramFormatArguments([{ mechanism: 'SCRAM-SHA-256', username: 'a', password: 'x,y' }]),
    ).toThrow(/may not hold/);
  });
});

describe('clusterNodePorts', () => {
  it('puts node i on both ports plus 2i', () => {
    expect(clusterNodePorts(9092, 9093, 3)).toEqual([
      { nodeId: 1, brokerPort: 9092, controllerPort: 9093 },
      { nodeId: 2, brokerPort: 9094, controllerPort: 9095 },
      { nodeId: 3, brokerPort: 9096, controllerPort: 9097 },
    ]);
  });

  it('refuses ports that overlap, naming both settings', () => {
    expect(() => clusterNodePorts(9092, 9094, 3)).toThrow(/HOOKLINE_KAFKA_CONTROLLER_PORT/);
    expect(() => clusterNodePorts(65_532, 65_533, 3)).toThrow(/port range/);
    expect(() => clusterNodePorts(9092, 9093, 0)).toThrow(/1 to 9 brokers/);
  });
});

describe('kafkaClusterNodeProperties', () => {
  const nodes = clusterNodePorts(9092, 9093, 3);
  const properties = new Map(
    kafkaClusterNodeProperties(
      { host: '127.0.0.1', nodeId: 2, brokerPort: 9094, controllerPort: 9095, dataDir: '/d' },
      nodes,
    ),
  );

  it('makes every node a voter of one static quorum', () => {
    expect(properties.get('node.id')).toBe('2');
    expect(properties.get('controller.quorum.voters')).toBe(
      '1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097',
    );
    expect(properties.get('listeners')).toBe(
      'PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9095',
    );
  });

  it('replicates the internal topics three times with two in sync', () => {
    expect(properties.get('offsets.topic.replication.factor')).toBe('3');
    expect(properties.get('transaction.state.log.replication.factor')).toBe('3');
    expect(properties.get('transaction.state.log.min.isr')).toBe('2');
    expect(properties.get('min.insync.replicas')).toBe('2');
    expect(properties.get('default.replication.factor')).toBe('3');
    expect(properties.get('unclean.leader.election.enable')).toBe('false');
  });
});
