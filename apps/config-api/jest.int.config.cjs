// Integration specs: they talk to the real Kafka broker and PostgreSQL server named by
// KAFKA_BROKERS and DATABASE_URL (npm test starts both).
module.exports = {
  displayName: 'config-api:int',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.int.spec.ts'],
  testTimeout: 60000,
};
