// Preloaded into Stryker's test-runner workers (testRunnerNodeArgs), never into kconn itself.
//
// @stryker-mutator/mocha-runner 10.0.0 loads mocha's CLI helpers without a file extension
// (`require('<mocha>/lib/cli/run-helpers')`, `.../options`, `.../collect-files`); mocha 12.0.x ships them as
// `.cjs` files only, so that require fails and the runner cannot start. This resolve hook retries exactly those
// failed requests with `.cjs`; every other resolution, and every request that already resolves, is left alone (so
// it does nothing once the runner knows mocha 12). Nothing in node_modules is changed.
import { registerHooks } from 'node:module';

const MOCHA_CLI = /[\\/]mocha[\\/]lib[\\/]cli[\\/][A-Za-z-]+$/;

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (MOCHA_CLI.test(specifier)) return nextResolve(`${specifier}.cjs`, context);
      throw error;
    }
  },
});
