import 'reflect-metadata';
import { runApp } from '@hookline/shared-nest';
import { AppModule } from './app.module';
import { type ConfigApiConfig, loadConfig } from './config';
import { serveDashboard } from './dashboard/serve-dashboard';
import { setupOpenApi } from './openapi';

let dashboardDir: ConfigApiConfig['HOOKLINE_DASHBOARD_DIR'] | undefined;

runApp({
  name: 'config-api',
  serves: 'the dashboard at /, OpenAPI at /docs',
  loadConfig: () => {
    const config = loadConfig();
    dashboardDir = config.HOOKLINE_DASHBOARD_DIR;
    return {
      host: config.HOOKLINE_CONFIG_API_HOST,
      port: config.HOOKLINE_CONFIG_API_PORT,
      operationsPort: config.HOOKLINE_CONFIG_API_OPERATIONS_PORT,
      module: AppModule.register(config),
    };
  },
  configure: (app) => {
    setupOpenApi(app);
    if (dashboardDir) serveDashboard(app, dashboardDir);
  },
});
