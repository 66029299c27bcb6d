import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { describeLogTail, lastLines, rotateLog, tailFile } from './logs';

describe('lastLines', () => {
  it('keeps the last lines, ignoring the trailing newline', () => {
    expect(lastLines('a\nb\nc\n\n', 2)).toEqual(['b', 'c']);
    expect(lastLines('a\r\nb', 5)).toEqual(['a', 'b']);
    expect(lastLines('', 3)).toEqual([]);
  });
});

describe('log files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookline-logs-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shows the last 40 lines of a long log with its path', () => {
    const file = path.join(dir, 'kafka.log');
    fs.writeFileSync(file, Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join('\n'));
    const tail = tailFile(file);
    expect(tail).toHaveLength(40);
    expect(tail[0]).toBe('line 61');
    expect(tail[39]).toBe('line 100');
    const description = describeLogTail(file);
    expect(description).toContain(file);
    expect(description).toContain('line 100');
    expect(description).not.toContain('line 60\n');
  });

  it('drops the line the 64 KiB window cut in half', () => {
    const file = path.join(dir, 'big.log');
    const long = 'x'.repeat(70 * 1024);
    fs.writeFileSync(file, `${long}\nlast\n`);
    expect(tailFile(file)).toEqual(['last']);
  });

  it('says so when the log does not exist', () => {
    expect(tailFile(path.join(dir, 'missing.log'))).toEqual([]);
    expect(describeLogTail(path.join(dir, 'missing.log'))).toContain('empty or missing');
  });

  it('keeps the previous run as .1 and starts afresh', () => {
    const file = path.join(dir, 'logs', 'postgres.log');
    rotateLog(file);
    expect(fs.existsSync(file)).toBe(false);
    fs.writeFileSync(file, 'first run\n');
    rotateLog(file);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readFileSync(`${file}.1`, 'utf8')).toBe('first run\n');
  });
});
