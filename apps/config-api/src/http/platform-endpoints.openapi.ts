import { HealthHttpController, MetricsHttpController } from '@hookline/shared-nest';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { HealthCheck } from '@nestjs/terminus';

type MethodDecorator = (target: object, key: string, descriptor: PropertyDescriptor) => unknown;

let described = false;

/**
 * Puts the OpenAPI description on the endpoints every app serves (`/health`, `/ready`,
 * `/metrics`, from `@hookline/shared-nest`). It is applied here, by the one app that serves a
 * document, so the worker and the matcher never load @nestjs/swagger. Runs once: the decorators
 * add to their metadata each time.
 */
export function describePlatformEndpoints(): void {
  if (described) return;
  described = true;
  ApiTags('health')(HealthHttpController);
  // Terminus's own description of a health check (its 200 and 503 bodies); the shared controller
  // already sets the no-cache header.
  const healthCheck = HealthCheck({ noCache: false, swaggerDocumentation: true });
  decorate(HealthHttpController, 'live', healthCheck);
  decorate(HealthHttpController, 'ready', healthCheck);
  ApiTags('metrics')(MetricsHttpController);
  decorate(
    MetricsHttpController,
    'scrape',
    ApiProduces('text/plain'),
    ApiOkResponse({ description: 'Prometheus text exposition format', type: String }),
  );
}

function decorate(
  controller: { readonly name: string; readonly prototype: object },
  method: string,
  ...decorators: MethodDecorator[]
): void {
  const descriptor = Object.getOwnPropertyDescriptor(controller.prototype, method);
  if (descriptor === undefined) throw new Error(`${controller.name} has no ${method}`);
  // Applied last to first, as TypeScript applies a stack of decorators.
  for (const decorator of [...decorators].reverse())
    decorator(controller.prototype, method, descriptor);
}
