import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * One directory per jest run for the packed tarball (see pack.ts): every test file of the run
 * shares the tarball of the code it tests, and no run sees a tarball of an earlier run.
 */
export default function globalSetup(): void {
  process.env.LAYERSMITH_TEST_RUN_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'layersmith-test-run-'));
}
