// `npm test`: typecheck, lint and every vitest suite, closing with "N passed, N failed".
// The suites against a PostgreSQL server and Redis run when DATABASE_URL / REDIS_URL are set.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numFailedTestSuites: number;
  success: boolean;
}

const root = join(import.meta.dirname, '..');
let passed = 0;
let failed = 0;
let skipped = 0;

function step(name: string, command: string, args: string[]): boolean {
  console.log(`\n── ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  const ok = result.status === 0;
  if (ok) passed++;
  else failed++;
  console.log(`── ${name}: ${ok ? 'ok' : 'FAILED'}`);
  return ok;
}

const bin = (name: string) => join(root, 'node_modules', '.bin', name);
step('typecheck', bin('tsc'), ['-p', 'tsconfig.json']);
step('lint', bin('biome'), ['check', '.']);

const outDir = mkdtempSync(join(tmpdir(), 'aether-test-'));
const reportFile = join(outDir, 'vitest.json');
console.log(
  `\n── tests: vitest run${process.env['DATABASE_URL'] ? ' (with DATABASE_URL)' : ''}${process.env['REDIS_URL'] ? ' (with REDIS_URL)' : ''}`,
);
const vitest = spawnSync(
  bin('vitest'),
  [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit' },
);
try {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as VitestReport;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  // A file that fails to load has no failed test but a failed suite: count it.
  if (report.numFailedTests === 0 && !report.success) failed += Math.max(1, report.numFailedTestSuites);
} catch {
  console.error(`vitest wrote no report (exit ${vitest.status}); counting the test run as failed`);
  failed++;
}
rmSync(outDir, { recursive: true, force: true });
if (vitest.status !== 0 && failed === 0) failed++;

console.log(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
