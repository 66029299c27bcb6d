import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { InfraError } from './infra-error';
import { findOnPath, locateExecutable, parseJavaMajorVersion, resolveJava } from './executables';

describe('parseJavaMajorVersion', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_392"', 8],
    ['openjdk version "11.0.2-ea" 2019-01-15', 11],
  ])('reads %s as Java %i', (output, major) => {
    expect(parseJavaMajorVersion(output)).toBe(major);
  });

  it('gives up on output that names no version', () => {
    expect(parseJavaMajorVersion('command not found')).toBeUndefined();
  });
});

describe('locating java and mvn', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookline-exec-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function fakeExecutable(file: string, script: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  }

  it('prefers <home>/bin/<name> when the home variable is set', () => {
    fakeExecutable(path.join(dir, 'jdk', 'bin', 'java'), 'exit 0');
    fakeExecutable(path.join(dir, 'path', 'java'), 'exit 0');
    const env = { JAVA_HOME: path.join(dir, 'jdk'), PATH: path.join(dir, 'path') };
    expect(locateExecutable('java', ['JAVA_HOME'], env)).toEqual({
      file: path.join(dir, 'jdk', 'bin', 'java'),
    });
  });

  it('does not fall back to PATH when the home variable points nowhere', () => {
    fakeExecutable(path.join(dir, 'path', 'java'), 'exit 0');
    const env = { JAVA_HOME: path.join(dir, 'missing'), PATH: path.join(dir, 'path') };
    const located = locateExecutable('java', ['JAVA_HOME'], env);
    expect('problem' in located && located.problem).toContain('JAVA_HOME is set to');
  });

  it('skips PATH entries that are not executable files', () => {
    fs.mkdirSync(path.join(dir, 'a', 'mvn'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'b-mvn'), '');
    fakeExecutable(path.join(dir, 'c', 'mvn'), 'exit 0');
    const PATH = [path.join(dir, 'a'), path.join(dir, 'c')].join(path.delimiter);
    expect(findOnPath('mvn', { PATH })).toBe(path.join(dir, 'c', 'mvn'));
    expect(findOnPath('mvn', { PATH: path.join(dir, 'a') })).toBeUndefined();
  });

  it('fails with a message naming JAVA_HOME when no java is found', () => {
    expect(() => resolveJava({ PATH: dir })).toThrow(InfraError);
    expect(() => resolveJava({ PATH: dir })).toThrow(/set JAVA_HOME or put java on PATH/);
  });

  it('refuses a Java older than Kafka supports', () => {
    fakeExecutable(path.join(dir, 'jdk8', 'bin', 'java'), `echo 'java version "1.8.0_392"' >&2`);
    expect(() => resolveJava({ JAVA_HOME: path.join(dir, 'jdk8'), PATH: '' })).toThrow(
      /is Java 8; Kafka needs Java 11\+/,
    );
  });
});
