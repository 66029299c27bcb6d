import 'reflect-metadata';
import { runApp } from '@hookline/shared-nest';
import { AppModule } from './app.module';
import { loadConfig } from './config';
import { setupOpenApi } from './openapi';

runApp({
  name: 'config-api',
  serves: 'OpenAPI at /docs',
  loadConfig: () => {
    const config = loadConfig();
    return {
      host: config.HOOKLINE_CONFIG_API_HOST,
      port: config.HOOKLINE_CONFIG_API_PORT,
      operationsPort: config.HOOKLINE_CONFIG_API_OPERATIONS_PORT,
      module: AppModule.register(config),
    };
  },
  configure: setupOpenApi,
});
