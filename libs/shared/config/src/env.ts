/** A setting that failed to parse; the message names the variable and what it expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Reads one variable into a typed value, or explains why it cannot. */
export interface Setting<T> {
  readonly describe: string;
  parse(raw: string | undefined, name: string): T;
}

type Settings = Record<string, Setting<unknown>>;
type Parsed<S extends Settings> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

class SettingProblem extends Error {}

const present = (raw: string | undefined): raw is string => raw !== undefined && raw.trim() !== '';

function setting<T>(describe: string, parse: (raw: string | undefined) => T): Setting<T> {
  return { describe, parse: (raw) => parse(raw) };
}

function required(raw: string | undefined): string {
  if (!present(raw)) throw new SettingProblem('is required');
  return raw.trim();
}

/** Setting constructors. Each takes an optional default used when the variable is unset or empty. */
export const env = {
  string: (fallback?: string) =>
    setting('a string', (raw) => (present(raw) ? raw.trim() : required(fallback))),

  /** A string that may be left unset or empty: then `''`. */
  optionalString: () => setting('a string', (raw) => (present(raw) ? raw.trim() : '')),

  int: (fallback?: number, range: { min?: number; max?: number } = {}) =>
    setting('an integer', (raw) => {
      const value = present(raw) ? Number(raw.trim()) : fallback;
      if (value === undefined) throw new SettingProblem('is required');
      if (!Number.isInteger(value)) throw new SettingProblem(`must be an integer, got "${raw}"`);
      if (range.min !== undefined && value < range.min)
        throw new SettingProblem(`must be >= ${range.min}, got ${value}`);
      if (range.max !== undefined && value > range.max)
        throw new SettingProblem(`must be <= ${range.max}, got ${value}`);
      return value;
    }),

  port: (fallback?: number) => env.int(fallback, { min: 0, max: 65535 }),

  /** A port that may be left unset or empty: then `undefined`. */
  optionalPort: () =>
    setting('a TCP port', (raw) =>
      present(raw) ? env.int(undefined, { min: 0, max: 65535 }).parse(raw, '') : undefined,
    ),

  bool: (fallback?: boolean) =>
    setting('true or false', (raw) => {
      if (!present(raw)) {
        if (fallback === undefined) throw new SettingProblem('is required');
        return fallback;
      }
      const value = raw.trim().toLowerCase();
      if (['true', '1', 'yes'].includes(value)) return true;
      if (['false', '0', 'no'].includes(value)) return false;
      throw new SettingProblem(`must be true or false, got "${raw}"`);
    }),

  /** Comma-separated list; empty items are an error, not silently dropped. */
  list: (fallback?: readonly string[]) =>
    setting('a comma-separated list', (raw) => {
      if (!present(raw)) {
        if (fallback === undefined) throw new SettingProblem('is required');
        return [...fallback];
      }
      const items = raw.split(',').map((item) => item.trim());
      if (items.some((item) => item === '')) {
        throw new SettingProblem(
          `must be a comma-separated list without empty items, got "${raw}"`,
        );
      }
      return items;
    }),

  url: (protocols: readonly string[], fallback?: string) =>
    setting(`a ${protocols.join('/')} URL`, (raw) => {
      const value = present(raw) ? raw.trim() : required(fallback);
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        throw new SettingProblem(`must be a URL, got "${redactUrl(value)}"`);
      }
      if (!protocols.includes(url.protocol.replace(/:$/, ''))) {
        throw new SettingProblem(`must use ${protocols.join(' or ')}, got "${url.protocol}"`);
      }
      return value;
    }),

  oneOf: <T extends string>(choices: readonly T[], fallback?: T) =>
    setting(`one of ${choices.join(', ')}`, (raw) => {
      const value = present(raw) ? raw.trim() : required(fallback);
      if (!(choices as readonly string[]).includes(value)) {
        throw new SettingProblem(`must be one of ${choices.join(', ')}, got "${value}"`);
      }
      return value as T;
    }),
};

/** Hides the password of a connection URL so it can be printed. */
export function redactUrl(value: string): string {
  return value.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

/**
 * Parses every setting at once, so one run reports all bad settings, and throws a
 * {@link ConfigError} naming each variable that is missing or malformed.
 */
export function parseEnv<S extends Settings>(
  settings: S,
  source: Readonly<Record<string, string | undefined>> = process.env,
): Parsed<S> {
  const result: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(settings)) {
    try {
      result[name] = spec.parse(source[name], name);
    } catch (error) {
      if (!(error instanceof SettingProblem)) throw error;
      problems.push(`${name} ${error.message} (expected ${spec.describe})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return result as Parsed<S>;
}

/**
 * Runs one parse step of a config loader and collects its {@link ConfigError}'s problems instead
 * of throwing, so the loader can report every bad setting at once.
 */
export function collectProblems<T>(problems: string[], parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}
