import * as fs from 'node:fs';
import * as path from 'node:path';

import { InfraError } from './infra-error';

/** A Kafka broker that `up` started. */
export interface KafkaProcessState {
  readonly pid: number;
  readonly brokerPort: number;
  readonly controllerPort: number;
  readonly version: string;
  readonly startedAt: string;
}

/** A PostgreSQL server that `up` started. */
export interface PostgresProcessState {
  readonly pid: number;
  readonly port: number;
  readonly startedAt: string;
}

/** What `up` started and `down` may stop: nothing else is ever signalled. */
export interface InfraState {
  kafka?: KafkaProcessState;
  postgres?: PostgresProcessState;
}

const STATE_VERSION = 1;

export function renderState(state: InfraState): string {
  return `${JSON.stringify({ version: STATE_VERSION, ...state }, null, 2)}\n`;
}

/** Parses the state file; anything unexpected is an error naming the file, never a guess. */
export function parseState(text: string, source: string): InfraState {
  const corrupt = (why: string): InfraError =>
    new InfraError(
      'STATE_CORRUPT',
      `${source} is not a valid Hookline infra state file (${why}). Stop any server it listed by ` +
        'hand if one still runs, then delete the file.',
    );

  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw corrupt('not JSON');
  }
  if (!isRecord(raw)) throw corrupt('not an object');
  if (raw['version'] !== STATE_VERSION) throw corrupt(`unknown version ${String(raw['version'])}`);

  const state: InfraState = {};
  const kafka = raw['kafka'];
  if (kafka !== undefined) {
    if (!isRecord(kafka)) throw corrupt('kafka is not an object');
    state.kafka = {
      pid: field(kafka, 'pid', isPid, 'kafka', corrupt),
      brokerPort: field(kafka, 'brokerPort', isPort, 'kafka', corrupt),
      controllerPort: field(kafka, 'controllerPort', isPort, 'kafka', corrupt),
      version: field(kafka, 'version', isNonEmptyString, 'kafka', corrupt),
      startedAt: field(kafka, 'startedAt', isNonEmptyString, 'kafka', corrupt),
    };
  }
  const postgres = raw['postgres'];
  if (postgres !== undefined) {
    if (!isRecord(postgres)) throw corrupt('postgres is not an object');
    state.postgres = {
      pid: field(postgres, 'pid', isPid, 'postgres', corrupt),
      port: field(postgres, 'port', isPort, 'postgres', corrupt),
      startedAt: field(postgres, 'startedAt', isNonEmptyString, 'postgres', corrupt),
    };
  }
  return state;
}

export function readState(file: string): InfraState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return {};
    throw error;
  }
  return parseState(text, file);
}

/** Writes through a temporary file and a rename, so a crash never leaves half a state file. */
export function writeState(file: string, state: InfraState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (state.kafka === undefined && state.postgres === undefined) {
    fs.rmSync(file, { force: true });
    return;
  }
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, renderState(state));
  fs.renameSync(temporary, file);
}

function field<T>(
  record: Record<string, unknown>,
  key: string,
  check: (value: unknown) => value is T,
  owner: string,
  corrupt: (why: string) => Error,
): T {
  const value = record[key];
  if (!check(value)) throw corrupt(`${owner}.${key} is ${JSON.stringify(value) ?? 'missing'}`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPid(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 1;
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** Structural, not `instanceof Error`: errors from Node's core may come from another realm. */
export function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return typeof error === 'object' && error !== null && 'code' in error;
}
