#!/usr/bin/env node
// Entry point of the `kconn` bin. It must be able to refuse an old Node with a clear message, so it imports nothing
// and uses no syntax newer than Node 12 (no static imports, no top-level await, no `?.` or `??`); everything else
// happens in launch.js, loaded only once the version is known to be good.
var MINIMUM = [22, 19]; // keep in step with package.json "engines" and harness/provision/doctor.ts MIN_NODE_VERSION

// KCONN_TEST_NODE_VERSION: for kconn's own tests only, to try the check without installing an old Node.
var version = process.env.KCONN_TEST_NODE_VERSION || process.versions.node;
var parts = version.split('.');
var major = Number(parts[0]);
var minor = Number(parts[1]);

if (major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1])) {
  import('./launch.js');
} else {
  process.stderr.write('kconn needs Node.js >= ' + MINIMUM.join('.') + ' (this is v' + version + '); see README, Prerequisites\n');
  process.exitCode = 1;
}
