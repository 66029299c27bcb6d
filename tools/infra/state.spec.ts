import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { InfraError } from './infra-error';
import { type InfraState, parseState, readState, renderState, writeState } from './state';

const full: InfraState = {
  kafka: {
    pid: 4242,
    brokerPort: 9092,
    controllerPort: 9093,
    version: '3.9.1',
    startedAt: '2026-01-01T00:00:00.000Z',
  },
  postgres: { pid: 4343, port: 5432, startedAt: '2026-01-01T00:00:01.000Z' },
};

function parseError(text: string): InfraError {
  try {
    parseState(text, '/repo/.hookline/state.json');
  } catch (error) {
    if (error instanceof InfraError) return error;
    throw error;
  }
  throw new Error('parseState accepted it');
}

describe('parseState', () => {
  it('reads back what renderState wrote', () => {
    expect(parseState(renderState(full), 'state.json')).toEqual(full);
    expect(parseState(renderState({ postgres: full.postgres }), 'state.json')).toEqual({
      postgres: full.postgres,
    });
  });

  it('rejects text that is not JSON, naming the file', () => {
    const error = parseError('{"version": 1,');
    expect(error.code).toBe('STATE_CORRUPT');
    expect(error.message).toContain('/repo/.hookline/state.json');
    expect(error.message).toContain('not JSON');
  });

  it('names the field that is wrong', () => {
    const text = JSON.stringify({ version: 1, kafka: { ...full.kafka, pid: 'x' } });
    expect(parseError(text).message).toContain('kafka.pid is "x"');
    const noPort = JSON.stringify({ version: 1, postgres: { pid: 10, startedAt: 'now' } });
    expect(parseError(noPort).message).toContain('postgres.port is missing');
  });

  it('refuses pids that could signal a process group or every process', () => {
    for (const pid of [0, 1, -1, 3.5]) {
      const text = JSON.stringify({ version: 1, postgres: { ...full.postgres, pid } });
      expect(parseError(text).message).toContain('postgres.pid');
    }
  });

  it('refuses a state file from another format version', () => {
    expect(parseError(JSON.stringify({ version: 2 })).message).toContain('unknown version 2');
  });
});

describe('readState and writeState', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookline-state-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('treats a missing file as nothing started', () => {
    expect(readState(path.join(dir, 'state.json'))).toEqual({});
  });

  it('writes, reads back, and deletes the file once nothing is recorded', () => {
    const file = path.join(dir, 'nested', 'state.json');
    writeState(file, full);
    expect(readState(file)).toEqual(full);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['state.json']);
    writeState(file, {});
    expect(fs.existsSync(file)).toBe(false);
  });
});
