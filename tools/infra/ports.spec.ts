import * as net from 'node:net';

import { describePortConflicts, findPortConflicts, isPortFree, isPortServing } from './ports';

const HOST = '127.0.0.1';

function listen(): Promise<{ server: net.Server; port: number }> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, HOST, () =>
      resolve({ server, port: (server.address() as net.AddressInfo).port }),
    );
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('port checks against a real listening socket', () => {
  let server: net.Server;
  let port: number;
  beforeEach(async () => ({ server, port } = await listen()));
  afterEach(() => close(server));

  it('sees a port that something else listens on as taken and serving', async () => {
    expect(await isPortFree(port, HOST)).toBe(false);
    expect(await isPortServing(port, HOST)).toBe(true);
  });

  it('sees the port as free and not serving once the listener has gone', async () => {
    await close(server);
    expect(await isPortFree(port, HOST)).toBe(true);
    expect(await isPortServing(port, HOST)).toBe(false);
    ({ server } = await listen());
  });

  it('reports only the claims whose port is taken', async () => {
    const freed = await listen();
    await close(freed.server);
    const freeClaim = {
      service: 'PostgreSQL',
      port: freed.port,
      variable: 'HOOKLINE_POSTGRES_PORT',
    };
    const takenClaim = { service: 'Kafka', port, variable: 'HOOKLINE_KAFKA_PORT' };
    expect(await findPortConflicts([freeClaim, takenClaim], HOST)).toEqual([takenClaim]);
  });
});

describe('describePortConflicts', () => {
  it('names the port and the variable that moves it', () => {
    const message = describePortConflicts(
      [{ service: 'Kafka (broker listener)', port: 9092, variable: 'HOOKLINE_KAFKA_PORT' }],
      HOST,
      'Or set KAFKA_BROKERS.',
    );
    expect(message).toContain('127.0.0.1:9092');
    expect(message).toContain('HOOKLINE_KAFKA_PORT=<port>');
    expect(message.split('\n')).toHaveLength(2);
  });
});
