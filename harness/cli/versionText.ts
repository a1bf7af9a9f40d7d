import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CNI_PLUGINS } from '../cni/registry.js';
import { MESH_PROVIDERS } from '../mesh/registry.js';
import { DEFAULT_KUBERNETES_VERSION, KIND_VERSION, KUBERNETES_VERSIONS } from '../plan/nodeImages.js';
import { TOOLS } from '../provision/toolSpec.js';

/**
 * kconn's own package.json: the nearest one above this module named "kconn", so that it is found from the sources
 * (harness/cli/) and from the compiled copy (dist/harness/cli/) alike.
 */
export function kconnPackageJson(from: string = dirname(fileURLToPath(import.meta.url))): { name: string; version: string } {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'kconn' && typeof pkg.version === 'string') return { name: pkg.name, version: pkg.version };
    } catch {
      // no package.json here (or not JSON): look further up
    }
    if (dirname(dir) === dir) throw new Error(`no package.json of kconn above ${from}`);
  }
}

/** `kconn --version`: kconn's version and every version it pins, one plain line each. */
export function versionLines(): string[] {
  return [
    `kconn ${kconnPackageJson().version}`,
    `kind ${KIND_VERSION}`,
    `helm ${TOOLS.helm.version}`,
    `kubernetes ${DEFAULT_KUBERNETES_VERSION} (default); supported: ${KUBERNETES_VERSIONS.join(', ')}`,
    ...CNI_PLUGINS.map((p) => `cni ${p.name} ${p.defaultVersion === 'bundled' ? `bundled with kind ${KIND_VERSION}` : p.defaultVersion}`),
    ...MESH_PROVIDERS.map((p) => `multicluster ${p.name} ${p.defaultVersion}`),
  ];
}
