import type { OpenAPIObject } from '@nestjs/swagger';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ApiErrorBody } from './api-error';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface PathMethods {
  readonly pattern: RegExp;
  /** A path without parameters wins over a template that also matches it (`export` vs `{id}`). */
  readonly literal: boolean;
  readonly allow: readonly string[];
}

/**
 * Answers a method the OpenAPI document does not list for a path with 405 and `Allow` (the
 * methods it lists), instead of the router's 404. Paths the document does not have go on to the
 * router (and its 404). The table is the document's, so the two cannot disagree.
 */
export function methodNotAllowed(document: OpenAPIObject): RequestHandler {
  const paths: PathMethods[] = Object.entries(document.paths).map(([path, item]) => ({
    pattern: new RegExp(
      `^${path
        .split(/\{[^}]+\}/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]+')}/?$`,
    ),
    literal: !path.includes('{'),
    allow: METHODS.filter((method) => method in item).map((method) => method.toUpperCase()),
  }));
  return (request: Request, response: Response, next: NextFunction) => {
    const matching = paths.filter((path) => path.pattern.test(request.path));
    const match = matching.find((path) => path.literal) ?? matching[0];
    if (!match || match.allow.includes(request.method.toUpperCase())) {
      next();
      return;
    }
    const body: ApiErrorBody = {
      statusCode: 405,
      error: 'method_not_allowed',
      message: `${request.method} is not a method of ${request.path}; it has ${match.allow.join(', ')}`,
    };
    response.status(405).setHeader('Allow', match.allow.join(', ')).json(body);
  };
}
