import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

export const FAKE_BIN = join(REPO_ROOT, 'test', 'support', 'fakebin');

/** Environment that puts the recording fake kind and helm first on PATH, with their log files in a fresh folder. */
export function fakeToolEnv(kubeconfigText: string, extra: Record<string, string> = {}): { env: Record<string, string>; calls: () => string[][]; dir: string; clusters: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'kconn-fake-'));
  const log = join(dir, 'calls');
  const clusters = join(dir, 'clusters');
  const kubeconfig = join(dir, 'fake-kubeconfig');
  writeFileSync(log, '');
  writeFileSync(clusters, '');
  writeFileSync(kubeconfig, kubeconfigText);
  return {
    dir,
    env: {
      PATH: `${FAKE_BIN}:${process.env['PATH']}`,
      KCONN_FAKE_LOG: log,
      KCONN_FAKE_CLUSTERS: clusters,
      KCONN_FAKE_KUBECONFIG: kubeconfig,
      KCONN_CACHE_DIR: join(dir, 'cache'),
      KCONN_STATE_DIR: join(dir, 'state'),
      ...extra,
    },
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\x1e')
        .filter((c) => c.length > 0)
        .map((c) => c.split('\0').slice(0, -1)),
    clusters: () => readFileSync(clusters, 'utf8').split('\n').filter(Boolean),
  };
}

/** A kubeconfig for a plain-HTTP API server (the fake one). */
export function kubeconfigFor(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    // client-node refuses plain HTTP unless TLS verification is explicitly off.
    'clusters: [{name: fake, cluster: {server: "' + server + '", insecure-skip-tls-verify: true}}]',
    'users: [{name: fake, user: {token: fake-token}}]',
    'contexts: [{name: fake, context: {cluster: fake, user: fake}}]',
    'current-context: fake',
    '',
  ].join('\n');
}
