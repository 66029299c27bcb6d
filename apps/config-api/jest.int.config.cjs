// Integration specs: they talk to the real Kafka broker and PostgreSQL server named by
// KAFKA_BROKERS and DATABASE_URL (npm test starts both).
module.exports = {
  displayName: 'config-api:int',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.int.spec.ts'],
  testTimeout: 60000,
  // Since the merge of the export pool, the topic catalog and the dashboard, something the
  // config API opens outlives its close and Jest would wait for it for ever after the last spec
  // passed. Until that handle is found (run with --detectOpenHandles), the run ends when the
  // specs do.
  forceExit: true,
};
