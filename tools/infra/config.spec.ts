import { InfraError } from './infra-error';
import { loadInfraConfig, managedDatabaseUrl, postgresHome, redactDatabaseUrl } from './config';

const ROOT = '/repo';

function configError(env: NodeJS.ProcessEnv): InfraError {
  try {
    loadInfraConfig(env, ROOT, false);
  } catch (error) {
    if (error instanceof InfraError) return error;
    throw error;
  }
  throw new Error('loadInfraConfig accepted it');
}

describe('loadInfraConfig', () => {
  it('uses the standard ports and keeps all state under .hookline', () => {
    const config = loadInfraConfig({}, ROOT, false);
    expect(config.kafka).toEqual({ external: undefined, brokerPort: 9092, controllerPort: 9093 });
    expect(config.postgres.port).toBe(5432);
    expect(config.postgres.external).toBeUndefined();
    expect(config.readyTimeoutMs).toBe(120_000);
    expect(config.explicitPorts.size).toBe(0);
    expect(config.paths.kafkaLog).toBe('/repo/.hookline/logs/kafka.log');
    expect(config.paths.postgresDataDir).toBe('/repo/.hookline/data/postgres');
    expect(config.paths.postgresBinariesDir).toBeUndefined();
    expect(config.paths.kafkaCacheRoot).toBe('/repo/.hookline/cache/kafka');
    expect(config.paths.kafkaPom).toBe('/repo/tools/kafka/pom.xml');
  });

  it('moves each port with its variable and remembers which were set', () => {
    const config = loadInfraConfig(
      {
        HOOKLINE_KAFKA_PORT: '19092',
        HOOKLINE_KAFKA_CONTROLLER_PORT: ' 19093 ',
        HOOKLINE_POSTGRES_PORT: '15432',
        HOOKLINE_INFRA_READY_TIMEOUT_S: '30',
      },
      ROOT,
    );
    expect(config.kafka.brokerPort).toBe(19092);
    expect(config.kafka.controllerPort).toBe(19093);
    expect(config.postgres.port).toBe(15432);
    expect(config.readyTimeoutMs).toBe(30_000);
    expect([...config.explicitPorts].sort()).toEqual([
      'HOOKLINE_KAFKA_CONTROLLER_PORT',
      'HOOKLINE_KAFKA_PORT',
      'HOOKLINE_POSTGRES_PORT',
    ]);
  });

  it.each(['abc', '0', '65536', '80.5', '-1'])(
    'rejects the port "%s", naming the variable',
    (value) => {
      const error = configError({ HOOKLINE_POSTGRES_PORT: value });
      expect(error.code).toBe('BAD_SETTING');
      expect(error.message).toContain('HOOKLINE_POSTGRES_PORT');
      expect(error.message).toContain(`"${value}"`);
    },
  );

  it('rejects two services on one port, naming both variables', () => {
    const error = configError({ HOOKLINE_POSTGRES_PORT: '9093' });
    expect(error.message).toContain('HOOKLINE_POSTGRES_PORT');
    expect(error.message).toContain('HOOKLINE_KAFKA_CONTROLLER_PORT');
  });

  it('ignores the ports of a service the environment already provides', () => {
    const config = loadInfraConfig(
      { KAFKA_BROKERS: 'kafka:9092, kafka2:9092', HOOKLINE_POSTGRES_PORT: '9093' },
      ROOT,
    );
    expect(config.kafka.external).toBe('kafka:9092,kafka2:9092');
  });

  it('rejects a KAFKA_BROKERS that is not a host:port list', () => {
    expect(configError({ KAFKA_BROKERS: 'localhost' }).message).toContain('KAFKA_BROKERS');
    expect(configError({ KAFKA_BROKERS: 'a:1,,b:2' }).message).toContain('KAFKA_BROKERS');
  });

  it('accepts postgres:// and postgresql:// DATABASE_URLs only, without echoing them', () => {
    const url = 'postgresql://u:secret@db:5432/hookline';
    expect(loadInfraConfig({ DATABASE_URL: url }, ROOT, false).postgres.external).toBe(url);
    const error = configError({ DATABASE_URL: 'mysql://u:secret@db/x' });
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).not.toContain('secret');
    expect(configError({ DATABASE_URL: 'not a url' }).message).toContain('DATABASE_URL');
  });

  it('treats empty variables as unset', () => {
    const config = loadInfraConfig(
      { KAFKA_BROKERS: ' ', DATABASE_URL: '', HOOKLINE_KAFKA_PORT: '' },
      ROOT,
    );
    expect(config.kafka.external).toBeUndefined();
    expect(config.postgres.external).toBeUndefined();
    expect(config.kafka.brokerPort).toBe(9092);
  });
});

describe('database URLs', () => {
  it('points the managed URL at the loopback address and the hookline database', () => {
    const { postgres } = loadInfraConfig({}, ROOT, false);
    expect(managedDatabaseUrl(postgres, 15432)).toBe(
      'postgres://hookline:hookline@127.0.0.1:15432/hookline',
    );
  });

  it('hides the password in log lines', () => {
    expect(redactDatabaseUrl('postgres://u:p%40ss@db:5432/x')).toBe('postgres://u:***@db:5432/x');
    expect(redactDatabaseUrl('postgres://db/x')).toBe('postgres://db/x');
  });
});

describe('where PostgreSQL keeps its files', () => {
  it('as root: a system directory per checkout that the postgres user can reach, binaries copied there', () => {
    const config = loadInfraConfig({}, '/root/work/hookline', true);
    expect(config.paths.postgresHome).toMatch(/^\/var\/lib\/hookline\/hookline-[0-9a-f]{12}$/);
    expect(config.paths.postgresDataDir).toBe(`${config.paths.postgresHome}/postgres`);
    expect(config.paths.postgresBinariesDir).toBe(`${config.paths.postgresHome}/bin`);
    // Everything else stays in the checkout.
    expect(config.paths.postgresLog).toBe('/root/work/hookline/.hookline/logs/postgres.log');
  });

  it('gives two checkouts of the same name two directories', () => {
    const a = postgresHome('/root/a/hookline', {}, true).home;
    const b = postgresHome('/root/b/hookline', {}, true).home;
    expect(a).not.toBe(b);
    expect(postgresHome('/root/a/hookline/', {}, true).home).toBe(a);
  });

  it('takes HOOKLINE_POSTGRES_DIR for anyone, and refuses a relative one', () => {
    expect(postgresHome(ROOT, { HOOKLINE_POSTGRES_DIR: '/srv/pg' }, false)).toEqual({
      home: '/srv/pg',
      separate: true,
    });
    expect(configError({ HOOKLINE_POSTGRES_DIR: 'pg' }).message).toMatch(
      /HOOKLINE_POSTGRES_DIR must be an absolute path/,
    );
  });
});

describe('a named instance', () => {
  it('keeps its state, configuration, logs and data apart, and shares the jars and binaries', () => {
    const own = loadInfraConfig({}, '/root/work/hookline', true).paths;
    const faults = loadInfraConfig({}, '/root/work/hookline', true, 'faults').paths;
    expect(faults.stateDir).toBe('/root/work/hookline/.hookline/instances/faults');
    expect(faults.stateFile).toBe(`${faults.stateDir}/state.json`);
    expect(faults.lockFile).toBe(`${faults.stateDir}/infra.lock`);
    expect(faults.kafkaDataDir).toBe(`${faults.stateDir}/data/kafka`);
    expect(faults.kafkaProperties).toBe(`${faults.stateDir}/conf/kafka-server.properties`);
    expect(faults.postgresLog).toBe(`${faults.stateDir}/logs/postgres.log`);
    expect(faults.postgresDataDir).toBe(`${own.postgresHome}/instances/faults/postgres`);
    expect(faults.kafkaCacheRoot).toBe(own.kafkaCacheRoot);
    expect(faults.postgresBinariesDir).toBe(own.postgresBinariesDir);
    expect(faults.kafkaPom).toBe(own.kafkaPom);
    // Each server is recognised by its own path in its command line: neither marker may match
    // the other server.
    expect(faults.kafkaProperties.includes(own.kafkaProperties)).toBe(false);
    expect(faults.postgresDataDir.includes(own.postgresDataDir)).toBe(false);
  });

  it('as another user: the data goes under the instance state directory', () => {
    const faults = loadInfraConfig({}, ROOT, false, 'faults').paths;
    expect(faults.postgresDataDir).toBe('/repo/.hookline/data/instances/faults/postgres');
    expect(faults.postgresBinariesDir).toBeUndefined();
  });

  it.each(['', '../x', 'Faults', 'a/b', '.hidden'])('refuses the name "%s"', (name) => {
    expect(() => loadInfraConfig({}, ROOT, false, name)).toThrow(/instance name/);
  });
});
