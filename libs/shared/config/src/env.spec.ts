import { ConfigError, env, parseEnv, redactUrl } from './env';

describe('parseEnv', () => {
  it('returns typed values and applies defaults for unset variables', () => {
    const config = parseEnv(
      {
        PORT: env.port(3000),
        BROKERS: env.list(['localhost:9092']),
        VERBOSE: env.bool(false),
        NAME: env.string(),
      },
      { PORT: '8080', NAME: ' hookline ' },
    );
    expect(config).toEqual({
      PORT: 8080,
      BROKERS: ['localhost:9092'],
      VERBOSE: false,
      NAME: 'hookline',
    });
  });

  it('reports every bad variable by name in one error', () => {
    const parse = () =>
      parseEnv(
        { PORT: env.port(), TIMEOUT_MS: env.int(10, { min: 1 }), MODE: env.oneOf(['a', 'b']) },
        { PORT: '70000', TIMEOUT_MS: '0', MODE: 'c' },
      );
    expect(parse).toThrow(ConfigError);
    try {
      parse();
    } catch (error) {
      const { problems } = error as ConfigError;
      expect(problems).toHaveLength(3);
      expect(problems[0]).toMatch(/^PORT must be <= 65535/);
      expect(problems[1]).toMatch(/^TIMEOUT_MS must be >= 1/);
      expect(problems[2]).toMatch(/^MODE must be one of a, b, got "c"/);
    }
  });

  it('rejects a missing required variable', () => {
    expect(() => parseEnv({ DATABASE_URL: env.url(['postgres', 'postgresql']) }, {})).toThrow(
      /DATABASE_URL is required/,
    );
  });

  it('reads an optional string as empty when unset or blank, trimmed when set', () => {
    const settings = { CA_FILE: env.optionalString() };
    expect(parseEnv(settings, {})).toEqual({ CA_FILE: '' });
    expect(parseEnv(settings, { CA_FILE: '  ' })).toEqual({ CA_FILE: '' });
    expect(parseEnv(settings, { CA_FILE: ' /etc/ca.pem ' })).toEqual({ CA_FILE: '/etc/ca.pem' });
  });

  it('reads an optional port as undefined when unset or blank, and checks it when set', () => {
    const settings = { OPS_PORT: env.optionalPort() };
    expect(parseEnv(settings, {})).toEqual({ OPS_PORT: undefined });
    expect(parseEnv(settings, { OPS_PORT: ' ' })).toEqual({ OPS_PORT: undefined });
    expect(parseEnv(settings, { OPS_PORT: '9464' })).toEqual({ OPS_PORT: 9464 });
    expect(() => parseEnv(settings, { OPS_PORT: '70000' })).toThrow(/OPS_PORT must be <= 65535/);
  });

  it('rejects a URL with the wrong protocol and never prints its password', () => {
    expect(() =>
      parseEnv({ DATABASE_URL: env.url(['postgres']) }, { DATABASE_URL: 'mysql://u:secret@h/db' }),
    ).toThrow(/must use postgres, got "mysql:"/);
    expect(() =>
      parseEnv({ DATABASE_URL: env.url(['postgres']) }, { DATABASE_URL: 'u:secret@@' }),
    ).toThrow(ConfigError);
  });

  it('rejects lists with empty items and non-integers', () => {
    expect(() => parseEnv({ TOPICS: env.list() }, { TOPICS: 'a,,b' })).toThrow(/empty items/);
    expect(() => parseEnv({ N: env.int() }, { N: '1.5' })).toThrow(/must be an integer/);
    expect(() => parseEnv({ B: env.bool() }, { B: 'maybe' })).toThrow(/true or false/);
  });
});

describe('redactUrl', () => {
  it('hides the password of a connection string', () => {
    expect(redactUrl('postgres://hookline:s3cret@127.0.0.1:5432/hookline')).toBe(
      'postgres://hookline:***@127.0.0.1:5432/hookline',
    );
  });
});
