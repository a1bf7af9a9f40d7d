// Starts the kconn CLI: the compiled dist/ when it matches the sources (fast), else the TypeScript sources through tsx
// (slow: they are compiled at every start). bin/kconn.js loads this after checking the Node version.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DIST_MAIN, distState, SOURCE_MAIN } from '../scripts/distState.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const state = distState(root);

if (state.run === 'dist') {
  await import(pathToFileURL(join(root, DIST_MAIN)).href);
} else if (state.run === 'none') {
  process.stderr.write(`kconn is not installed correctly: ${state.reason}\n`);
  process.exitCode = 1;
} else {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write(`kconn: ${state.reason} and tsx is not installed to run the sources: npm run build\n`);
    process.exit(1);
  }
  // Only people see this: in pipes and tests the output stays exactly kconn's (the sources run, never stale code).
  if (process.stderr.isTTY) process.stderr.write(`kconn: ${state.reason}; running the TypeScript sources (slow start; npm run build fixes it)\n`);
  tsx.register();
  await import(pathToFileURL(join(root, SOURCE_MAIN)).href);
}
