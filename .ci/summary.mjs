// Reads vitest's JSON report and prints the closing line "N passed, N failed" (", N skipped", ", N todo" when
// there are any). A skipped or todo test fails the run: a suite that skips is a suite that did not run.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const file = process.argv[2] ?? 'test-results/vitest.json';
let r;
try {
  r = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.log(`no test report at ${file}: ${err.message}`);
  process.exit(1);
}

const notRun = [];
for (const suite of r.testResults ?? []) {
  for (const t of suite.assertionResults ?? []) {
    if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') {
      notRun.push(`  ${t.status === 'todo' ? 'todo' : 'skipped'}: ${relative(process.cwd(), suite.name)} > ${[...(t.ancestorTitles ?? []), t.title].join(' > ')}`);
    }
  }
}
if (notRun.length) console.log(`Tests that did not run:\n${notRun.join('\n')}`);

const extra = (r.numPendingTests ? `, ${r.numPendingTests} skipped` : '') + (r.numTodoTests ? `, ${r.numTodoTests} todo` : '');
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed${extra}`);
process.exit(r.numPendingTests > 0 || r.numTodoTests > 0 ? 1 : 0);
