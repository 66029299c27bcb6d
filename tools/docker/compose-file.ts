/**
 * Reads docker/compose.yml as Docker Compose would, without Docker: variable interpolation as the
 * Compose Specification defines it, validation against the specification's JSON Schema, and the
 * short syntaxes the file uses expanded to their long forms. Where the compose plugin exists,
 * its own `docker compose config` is compared with this (compose.spec.ts).
 */
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export interface PortMapping {
  readonly target: number;
  readonly published: string;
  readonly host_ip?: string;
  readonly protocol: string;
}

export interface ComposeService {
  readonly image?: string;
  readonly profiles?: string[];
  readonly command?: string[] | string | null;
  readonly build?: { context: string; dockerfile: string };
  readonly environment: Record<string, string | null>;
  readonly ports: PortMapping[];
  readonly depends_on: Record<string, { condition: string }>;
  readonly healthcheck?: { test: string[] | string };
  readonly restart?: string;
}

export interface ComposeProject {
  readonly services: Record<string, ComposeService>;
}

/**
 * `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`,
 * `${VAR:+alt}`, `${VAR+alt}`, `$VAR` and `$$` (a literal `$`), applied to one string.
 * Defaults may themselves hold variables, as in the specification.
 */
export function interpolate(text: string, env: NodeJS.ProcessEnv): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch !== '$') {
      out += ch;
      i += 1;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(text, i + 2);
      out += expand(text.slice(i + 2, end), env);
      i = end + 1;
      continue;
    }
    const bare = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (bare) {
      out += env[bare[0]] ?? '';
      i += 1 + bare[0].length;
      continue;
    }
    throw new Error(`invalid interpolation format in "${text}" at offset ${i}`);
  }
  return out;
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i += 1) {
    if (text[i] === '{') depth += 1;
    if (text[i] === '}') depth -= 1;
    if (depth === 0) return i;
  }
  throw new Error(`unclosed "\${" in "${text}"`);
}

function expand(expression: string, env: NodeJS.ProcessEnv): string {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?$/s.exec(expression);
  if (!match) throw new Error(`invalid interpolation format "\${${expression}}"`);
  const [, name = '', operator, operand = ''] = match;
  const value = env[name];
  const unsetOrEmpty = value === undefined || value === '';
  switch (operator) {
    case undefined:
      return value ?? '';
    case ':-':
      return unsetOrEmpty ? interpolate(operand, env) : value;
    case '-':
      return value === undefined ? interpolate(operand, env) : value;
    case ':?':
    case '?':
      if (operator === ':?' ? unsetOrEmpty : value === undefined)
        throw new Error(`required variable ${name} is missing a value: ${operand}`);
      return value ?? '';
    case ':+':
      return unsetOrEmpty ? '' : interpolate(operand, env);
    case '+':
      return value === undefined ? '' : interpolate(operand, env);
    default:
      throw new Error(`invalid interpolation operator in "\${${expression}}"`);
  }
}

/** Every string in a parsed YAML document, interpolated; keys are left as they are. */
export function interpolateAll(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, env));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateAll(item, env)]),
    );
  return value;
}

let validator: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** The Compose Specification's JSON Schema, as the maintained `dclint` package ships it. */
export function composeSchemaPath(): string {
  return path.join(
    path.dirname(require.resolve('dclint/package.json')),
    'schemas',
    'compose.schema.json',
  );
}

/** Schema errors of an interpolated compose document, as `path: message` lines; none when valid. */
export function schemaErrors(document: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    // The file names draft-07 by an https URL that Ajv does not know under that spelling; the
    // schema is draft-07, which is Ajv's default dialect.
    const { $schema: _dialect, ...schema } = JSON.parse(
      readFileSync(composeSchemaPath(), 'utf8'),
    ) as Record<string, unknown>;
    validator = ajv.compile(schema);
  }
  if (validator(document)) return [];
  return (validator.errors ?? []).map(
    (error) => `${error.instancePath || '/'}: ${error.message ?? 'invalid'}`,
  );
}

/** `[host_ip:][published:]target[/protocol]` in its long form. */
export function parsePort(short: string | number): PortMapping {
  const [spec = '', protocol = 'tcp'] = String(short).split('/');
  const parts = spec.split(':');
  const target = Number(parts.at(-1));
  if (!Number.isInteger(target)) throw new Error(`port "${short}" has no container port`);
  if (parts.length === 1) return { target, published: '', protocol };
  if (parts.length === 2) return { target, published: parts[0] ?? '', protocol };
  return {
    target,
    published: parts.at(-2) ?? '',
    host_ip: parts.slice(0, -2).join(':'),
    protocol,
  };
}

function environmentMap(value: unknown): Record<string, string | null> {
  if (value === undefined) return {};
  if (Array.isArray(value))
    return Object.fromEntries(
      value.map((entry: string) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, null] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [
      key,
      item === null ? null : String(item),
    ]),
  );
}

function dependsOnMap(value: unknown): Record<string, { condition: string }> {
  if (value === undefined) return {};
  if (Array.isArray(value))
    return Object.fromEntries(
      value.map((name: string) => [name, { condition: 'service_started' }]),
    );
  return value as Record<string, { condition: string }>;
}

/**
 * The compose file read, interpolated with `env` (nothing else from the process), validated
 * against the schema (an invalid file throws, listing every error) and normalized.
 */
export function loadComposeFile(file: string, env: NodeJS.ProcessEnv): ComposeProject {
  const document = interpolateAll(parse(readFileSync(file, 'utf8')), env);
  const errors = schemaErrors(document);
  if (errors.length > 0)
    throw new Error(`${file} breaks the Compose Specification:\n${errors.join('\n')}`);
  const raw = document as { services: Record<string, Record<string, unknown>> };
  const dir = path.dirname(file);
  const services = Object.fromEntries(
    Object.entries(raw.services).map(([name, service]) => {
      const build = service['build'] as { context: string; dockerfile: string } | undefined;
      return [
        name,
        {
          ...service,
          build: build && { ...build, context: path.resolve(dir, build.context) },
          environment: environmentMap(service['environment']),
          ports: ((service['ports'] as (string | number)[] | undefined) ?? []).map(parsePort),
          depends_on: dependsOnMap(service['depends_on']),
        } as ComposeService,
      ];
    }),
  );
  return { services };
}
