#!/usr/bin/env node
// Prints jest's own totals as the plain line CI reads: `jest: N passed, M failed`.
// A missing or unreadable result file means jest never reported, which counts as a failure.
const fs = require('fs');

const file = process.argv[2] || 'test-reports/jest.json';
let passed = 0;
let failed = 1;
try {
  const results = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed = results.numPassedTests;
  // Suites that failed to run (syntax or import errors) hold no test results; count them too.
  failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
} catch (err) {
  console.error(`jest-count: no jest results at ${file} (${err.message})`);
}
console.log(`jest: ${passed} passed, ${failed} failed`);
