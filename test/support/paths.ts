import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the repository, whatever the working directory of the test run. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');
