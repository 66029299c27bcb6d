import * as fs from 'node:fs';
import * as path from 'node:path';

export const TAIL_LINES = 40;
const TAIL_BYTES = 64 * 1024;

/** The last `count` non-empty-trailing lines of a text. */
export function lastLines(text: string, count: number): string[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-count);
}

/** The end of a log file, reading at most its last 64 KiB; empty when the file does not exist. */
export function tailFile(file: string, count = TAIL_LINES): string[] {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    let lines = lastLines(buffer.toString('utf8'), count + 1);
    // When the byte window cut the file, its first line is likely a fragment.
    if (length < size && lines.length > 1) lines = lines.slice(1);
    return lines.slice(-count);
  } finally {
    fs.closeSync(fd);
  }
}

/** Renders the log's path and its last lines, for an error report. */
export function describeLogTail(file: string, count = TAIL_LINES): string {
  const lines = tailFile(file, count);
  if (lines.length === 0) return `(log ${file} is empty or missing)`;
  return [`--- last ${lines.length} lines of ${file} ---`, ...lines, '--- end of log ---'].join(
    '\n',
  );
}

/**
 * Keeps one previous log (`<file>.1`) and starts a fresh one, so a log holds one run and the
 * tail shown on failure is about this run.
 */
export function rotateLog(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    if (fs.statSync(file).size > 0) fs.renameSync(file, `${file}.1`);
  } catch {
    // No previous log.
  }
}

export function appendLog(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
}
