import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The dashboard's policy: its own scripts, styles and API only. No inline script or style
 * element, no eval, no framing, no plugins; images only from itself or data: URLs (the icons).
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the built dashboard (`index.html` and its hashed assets) at `/`, with a strict
 * Content-Security-Policy. The API routes under /v1 and /docs are Nest's: the dashboard routes
 * in the URL fragment, so no path of its own can shadow them.
 */
export function serveDashboard(app: INestApplication, dir: string): void {
  const root = path.resolve(dir);
  const logger = new Logger('dashboard');
  if (!existsSync(path.join(root, 'index.html'))) {
    logger.warn(`no dashboard at ${root}: build it with npx nx build dashboard`);
    return;
  }
  (app as NestExpressApplication).useStaticAssets(root, {
    index: 'index.html',
    // The entry page must be fetched again so a new build's asset names are picked up; the
    // assets themselves have content hashes in their names.
    setHeaders: (response, file) => {
      response.setHeader('Content-Security-Policy', DASHBOARD_CSP);
      response.setHeader('X-Content-Type-Options', 'nosniff');
      response.setHeader('Referrer-Policy', 'no-referrer');
      response.setHeader('X-Frame-Options', 'DENY');
      response.setHeader(
        'Cache-Control',
        file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
    },
  });
  logger.log(`dashboard from ${root} at /`);
}
