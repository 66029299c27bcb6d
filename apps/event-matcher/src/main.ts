import 'reflect-metadata';
import { ConfigError } from '@hookline/shared-config';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { loadConfig } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.create(AppModule.register(config), {
    logger: new ConsoleLogger({ json: true, prefix: 'event-matcher' }),
  });
  app.enableShutdownHooks();
  await app.listen(config.HOOKLINE_EVENT_MATCHER_PORT, config.HOOKLINE_EVENT_MATCHER_HOST);
  new Logger('event-matcher').log(`event-matcher health on ${await app.getUrl()}/health/ready`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});
