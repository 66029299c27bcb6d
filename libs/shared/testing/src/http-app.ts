import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';

export interface RunningApp {
  readonly app: INestApplication;
  readonly baseUrl: string;
  close(): Promise<void>;
}

/**
 * Boots a Nest module on a free loopback port, as the app's main would (`configure` is its
 * `runApp` configure step), without Nest's own console logs.
 */
export async function startHttpApp(
  module: DynamicModule | Type,
  configure?: (app: INestApplication) => void,
): Promise<RunningApp> {
  const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  // Before listen: routes added after it land behind Nest's 404 handler.
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, baseUrl, close: () => app.close() };
}
