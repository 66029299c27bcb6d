import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { InfraError } from './infra-error';

/** Kafka 3.9 brokers need Java 11 or newer (17 is what Apache recommends). */
export const MIN_JAVA_MAJOR = 11;

/** The first executable file called `name` in the PATH directories. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const names = process.platform === 'win32' ? [`${name}.exe`, `${name}.cmd`, name] : [name];
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    for (const candidate of names) {
      const file = path.join(dir, candidate);
      if (isExecutableFile(file)) return file;
    }
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The executable from `<homeVariable>/bin/<name>` when that variable is set (and then it must be
 * there), otherwise from PATH.
 */
export function locateExecutable(
  name: string,
  homeVariables: readonly string[],
  env: NodeJS.ProcessEnv,
): { file: string } | { problem: string } {
  for (const variable of homeVariables) {
    const home = env[variable]?.trim();
    if (home === undefined || home === '') continue;
    const file = path.join(home, 'bin', name);
    if (isExecutableFile(file)) return { file };
    return { problem: `${variable} is set to ${home}, but ${file} is not an executable file` };
  }
  const file = findOnPath(name, env);
  if (file !== undefined) return { file };
  const homes = homeVariables.join(' or ');
  return { problem: `no ${name} on PATH and ${homes} is not set` };
}

/** Reads the major version from `java -version` output ("1.8.0_392" is 8, "17.0.15" is 17). */
export function parseJavaMajorVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
  if (match === null) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

export function resolveJava(env: NodeJS.ProcessEnv): { file: string; major: number } {
  const located = locateExecutable('java', ['JAVA_HOME'], env);
  if ('problem' in located) {
    throw new InfraError(
      'JAVA_MISSING',
      `Kafka needs Java ${MIN_JAVA_MAJOR}+ (17 recommended), but ${located.problem}. Install a ` +
        'JDK, then set JAVA_HOME or put java on PATH.',
    );
  }
  const result = spawnSync(located.file, ['-version'], { encoding: 'utf8', env });
  const major = parseJavaMajorVersion(`${result.stderr}${result.stdout}`);
  if (result.error !== undefined || major === undefined) {
    throw new InfraError(
      'JAVA_MISSING',
      `Could not run ${located.file} -version: ${result.error?.message ?? result.stderr.trim()}`,
    );
  }
  if (major < MIN_JAVA_MAJOR) {
    throw new InfraError(
      'JAVA_MISSING',
      `${located.file} is Java ${major}; Kafka needs Java ${MIN_JAVA_MAJOR}+ (17 recommended). ` +
        'Point JAVA_HOME at a newer JDK.',
    );
  }
  return { file: located.file, major };
}

export function resolveMaven(env: NodeJS.ProcessEnv): string {
  const located = locateExecutable('mvn', ['MAVEN_HOME', 'M2_HOME'], env);
  if ('problem' in located) {
    throw new InfraError(
      'MAVEN_MISSING',
      `The Kafka jars are resolved with Maven on first use, but ${located.problem}. Install ` +
        'Maven 3.6+, then set MAVEN_HOME or put mvn on PATH.',
    );
  }
  return located.file;
}
