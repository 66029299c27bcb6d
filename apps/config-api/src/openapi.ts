import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Serves the OpenAPI document: the UI at /docs, the JSON at /docs-json. */
export function setupOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Hookline config API')
      .setDescription(
        'Configure webhooks and API keys. Every request but the event catalog and the health ' +
          'checks carries `Authorization: Bearer <API key>`; errors share one body with the ' +
          'field and rule of each violation.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
