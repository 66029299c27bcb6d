// Integration specs: they talk to the real Kafka broker named by KAFKA_BROKERS (npm test starts
// it; by hand: `npm run infra:up`, then export what .hookline/infra.env holds).
module.exports = {
  displayName: 'events-publisher:int',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.int.spec.ts'],
  testTimeout: 60000,
};
