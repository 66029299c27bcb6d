import 'reflect-metadata';
import { ConfigError } from '@hookline/shared-config';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { loadConfig } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.create(AppModule.register(config), {
    logger: new ConsoleLogger({ json: true, prefix: 'delivery-worker' }),
  });
  app.enableShutdownHooks();
  await app.listen(config.HOOKLINE_DELIVERY_WORKER_PORT, config.HOOKLINE_DELIVERY_WORKER_HOST);
  new Logger('delivery-worker').log(`delivery-worker health on ${await app.getUrl()}/health/ready`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});
