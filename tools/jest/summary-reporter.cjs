// Writes each jest run's counts to dist/test-reports/<project>.json, so `npm test` can print
// one closing total across every project and target.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  onRunComplete(contexts, results) {
    const [context] = [...contexts];
    const displayName = context?.config?.displayName;
    const name = typeof displayName === 'string' ? displayName : (displayName?.name ?? 'jest');
    const dir = path.join(__dirname, '..', '..', 'dist', 'test-reports');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, `${name.replace(/[^a-z0-9.-]+/gi, '_')}.json`),
      JSON.stringify({
        numPassedTests: results.numPassedTests,
        numFailedTests: results.numFailedTests,
        numPendingTests: results.numPendingTests + results.numTodoTests,
        numTotalTestSuites: results.numTotalTestSuites,
      }),
    );
  }
}

module.exports = SummaryReporter;
