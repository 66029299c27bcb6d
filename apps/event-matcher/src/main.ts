import 'reflect-metadata';
import { runApp } from '@hookline/shared-nest';
import { AppModule } from './app.module';
import { loadConfig } from './config';

runApp({
  name: 'event-matcher',
  serves: 'health at /ready',
  loadConfig: () => {
    const config = loadConfig();
    return {
      host: config.HOOKLINE_EVENT_MATCHER_HOST,
      port: config.HOOKLINE_EVENT_MATCHER_PORT,
      operationsPort: config.HOOKLINE_EVENT_MATCHER_OPERATIONS_PORT,
      module: AppModule.register(config),
    };
  },
});
