// A vitest reporter for CI (scripts/run-tests.mjs adds it with --retry=1): writes the tests that
// failed and then passed on the retry to `flaky-tests.json` in the package, so the run's summary can
// name them — a retried pass still counts as passed, but it must never go unseen.
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export default class FlakyReporter {
  flaky = [];

  onInit(vitest) {
    this.root = vitest.config.root;
  }

  onTestCaseResult(testCase) {
    const diagnostic = testCase.diagnostic();
    if (!diagnostic || diagnostic.retryCount === 0 || testCase.result().state !== 'passed') return;
    this.flaky.push({ file: relative(this.root, testCase.module.moduleId), name: testCase.fullName, retries: diagnostic.retryCount });
  }

  onTestRunEnd() {
    writeFileSync(join(this.root, 'flaky-tests.json'), `${JSON.stringify(this.flaky, null, 2)}\n`);
  }
}
