// Unit specs of the dashboard's plain TypeScript (formatting, form rules); the pages are
// exercised in a real browser by the platform-e2e browser suite.
module.exports = {
  displayName: 'dashboard',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  passWithNoTests: false,
};
