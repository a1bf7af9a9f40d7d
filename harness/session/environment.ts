import { arch as osArch, homedir } from 'node:os';
import { join } from 'node:path';
import { parseCidr } from '../model/cidr.js';

export const DEFAULT_TOPOLOGY = 'clusters/default.yaml';
export const DEFAULT_SUITES_DIR = 'suites';
export const VALIDATE_DEFAULT_PATHS = ['clusters', 'suites', 'manifests'];

/** Per-user cache for downloaded tools and artifacts: $KCONN_CACHE_DIR, else $XDG_CACHE_HOME/kconn, else ~/.cache/kconn. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['KCONN_CACHE_DIR']) return env['KCONN_CACHE_DIR'];
  return join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'kconn');
}

/**
 * Where runs are recorded (kind configs, kubeconfigs, state.json), per user and absolute, so that `kconn down` and
 * `kconn prune` see every run of this user from any folder: $KCONN_STATE_DIR, else $XDG_STATE_HOME/kconn, else
 * ~/.local/state/kconn; runs live in its runs/ folder.
 */
export function runsRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['KCONN_STATE_DIR'] || join(env['XDG_STATE_HOME'] || join(homedir(), '.local', 'state'), 'kconn');
  return join(base, 'runs');
}

/** Go/Docker architecture name of this host. */
export function hostArch(): string {
  const a = osArch();
  return a === 'x64' ? 'amd64' : a;
}

/**
 * IPv4 subnet of the `kind` Docker network, when Docker answers and the network exists; undefined otherwise.
 * Docker IPAM chooses it (often 172.18.0.0/16, not guaranteed: kind providers/docker/network.go).
 */
export async function detectKindNetwork(): Promise<string | undefined> {
  // Imported here: validate, which never asks Docker, should not pay for loading execa.
  const { execa } = await import('execa');
  const result = await execa('docker', ['network', 'inspect', 'kind', '--format', '{{range .IPAM.Config}}{{.Subnet}} {{end}}'], {
    reject: false,
    timeout: 5000,
  });
  if (result.exitCode !== 0 || typeof result.stdout !== 'string') return undefined;
  return result.stdout.split(/\s+/).find((s) => parseCidr(s).ok);
}
