#!/usr/bin/env node
// Runs every workspace package's tests (vitest with a JSON report each), then prints one plain
// summary line `N passed, N failed` summed over all packages. Exits non-zero when anything failed
// or when no test ran at all.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dirs = ['packages', 'apps']
  .flatMap((group) => (existsSync(join(root, group)) ? readdirSync(join(root, group)).map((name) => join(root, group, name)) : []))
  .concat([join(root, 'e2e')])
  .filter((dir) => existsSync(join(dir, 'package.json')));

let passed = 0;
let failed = 0;
let skipped = 0;
const broken = [];
const failures = [];
for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!pkg.scripts?.test) continue;
  const report = join(dir, 'test-results.json');
  rmSync(report, { force: true });
  console.log(`\n=== ${pkg.name} ===`);
  const run = spawnSync('pnpm', ['run', 'test'], { cwd: dir, stdio: 'inherit', env: process.env });
  if (!existsSync(report)) {
    broken.push(pkg.name);
    failed += 1;
    continue;
  }
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed += results.numPassedTests ?? 0;
  failed += results.numFailedTests ?? 0;
  skipped += (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
  failures.push(...failedTests(pkg.name, dir, results));
  if (run.status !== 0 && (results.numFailedTests ?? 0) === 0) {
    broken.push(pkg.name);
    failed += 1;
  }
}
if (failures.length) console.log(`\nfailed tests (${failures.length}):\n${failures.join('\n')}`);
if (broken.length) console.log(`\nsuites that failed to run: ${broken.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

/** Each failed test of a vitest JSON report as `package file > name` and the first lines of its error. */
function failedTests(pkgName, dir, results) {
  const lines = [];
  for (const file of results.testResults ?? []) {
    const relative = String(file.name ?? '').replace(`${dir}/`, '');
    const failedAssertions = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    if (failedAssertions.length === 0 && file.status === 'failed') {
      lines.push(`- ${pkgName} ${relative}: ${firstLines(file.message)}`);
    }
    for (const test of failedAssertions) {
      lines.push(`- ${pkgName} ${relative} > ${test.fullName}\n    ${firstLines((test.failureMessages ?? []).join('\n'))}`);
    }
  }
  return lines;
}

function firstLines(text, count = 6) {
  return String(text ?? '')
    .split('\n')
    .slice(0, count)
    .join('\n    ');
}
