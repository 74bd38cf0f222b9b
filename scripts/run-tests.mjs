#!/usr/bin/env node
// Runs every workspace package's tests (vitest with a JSON report each), then prints one plain
// summary line `N passed, N failed` summed over all packages. Exits non-zero when anything failed
// or when no test ran at all. Under CI a failed test is run once more (`--retry=1`); one that passes
// then counts as passed but is named in the summary as flaky (scripts/flaky-reporter.mjs), with
// every failed test and the first lines of its error, so a CI log's tail says what went wrong.
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
const flaky = [];
const retryArgs = process.env.CI ? ['--retry=1', `--reporter=${join(root, 'scripts/flaky-reporter.mjs')}`] : [];
for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!pkg.scripts?.test) continue;
  const report = join(dir, 'test-results.json');
  const flakyReport = join(dir, 'flaky-tests.json');
  rmSync(report, { force: true });
  rmSync(flakyReport, { force: true });
  console.log(`\n=== ${pkg.name} ===`);
  const run = spawnSync('pnpm', ['run', 'test', ...retryArgs], { cwd: dir, stdio: 'inherit', env: process.env });
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
  if (existsSync(flakyReport)) {
    for (const test of JSON.parse(readFileSync(flakyReport, 'utf8'))) flaky.push(`- ${pkg.name} ${test.file} > ${test.name} (passed on retry ${test.retries})`);
  }
  if (run.status !== 0 && (results.numFailedTests ?? 0) === 0) {
    broken.push(pkg.name);
    failed += 1;
  }
}
if (flaky.length) console.log(`\nflaky tests — failed, then passed on a retry (${flaky.length}):\n${flaky.join('\n')}`);
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
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .filter((line) => !/^\s+at .*(node_modules|node:internal)/.test(line))
    .slice(0, count)
    .join('\n    ');
}
