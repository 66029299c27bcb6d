import 'reflect-metadata';
import { runApp } from '@hookline/shared-nest';
import { ValidationPipe } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { loadConfig } from './config';

runApp({
  name: 'config-api',
  serves: 'OpenAPI at /docs',
  loadConfig: () => {
    const config = loadConfig();
    return {
      host: config.HOOKLINE_CONFIG_API_HOST,
      port: config.HOOKLINE_CONFIG_API_PORT,
      module: AppModule.register(config),
    };
  },
  configure: (app) => {
    app.useGlobalPipes(
      new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    );
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Hookline config API')
        .setDescription('Configure webhooks and inspect their deliveries')
        .setVersion('1')
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  },
});
