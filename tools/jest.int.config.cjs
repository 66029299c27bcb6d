// Integration specs of the infrastructure tooling: they start real servers on free ports in a
// temporary folder, apart from the ones `npm test` runs the other specs against.
module.exports = {
  displayName: 'tools:int',
  preset: '../jest.preset.cjs',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.int.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 120000,
};
