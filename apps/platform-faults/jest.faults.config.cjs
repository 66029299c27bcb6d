// The fault cases: the built apps against a broker and a database of the suite's own, which it
// kills, stops and restarts. Run by `npm run test:faults` (tools/scripts/test-faults.ts), which
// starts those servers and names them in the environment; never by `npm test`.
module.exports = {
  displayName: 'platform-faults:faults',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.faults.spec.ts'],
  testTimeout: 300000,
};
