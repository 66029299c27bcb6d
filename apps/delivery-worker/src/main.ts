import 'reflect-metadata';
import { runApp } from '@hookline/shared-nest';
import { AppModule } from './app.module';
import { loadConfig } from './config';

runApp({
  name: 'delivery-worker',
  serves: 'health at /ready',
  loadConfig: () => {
    const config = loadConfig();
    return {
      host: config.HOOKLINE_DELIVERY_WORKER_HOST,
      port: config.HOOKLINE_DELIVERY_WORKER_PORT,
      operationsPort: config.HOOKLINE_DELIVERY_WORKER_OPERATIONS_PORT,
      module: AppModule.register(config),
    };
  },
});
