import { parseSemVer } from '../model/semver.js';
import type { ToolSpec } from './toolSpec.js';

/** The versions accepted on PATH, as a user would type them: `v0.33.x` for one minor, else `>= A and < B`. */
export function acceptedVersions(spec: ToolSpec): string {
  const min = parseSemVer(spec.minimum);
  const below = spec.below ? parseSemVer(spec.below) : undefined;
  if (min && below && min.patch === 0 && min.prerelease.length === 0 && below.major === min.major && below.minor === min.minor + 1 && below.patch === 0) {
    return `v${min.major}.${min.minor}.x`;
  }
  return `>= ${spec.minimum}${spec.below ? ` and < ${spec.below}` : ''}`;
}

/** What a user can do when kconn cannot download a tool: install it, point kconn at a mirror, or let it through the proxy. */
export function downloadFixes(spec: ToolSpec, env: NodeJS.ProcessEnv = process.env): string[] {
  const origin = new URL(spec.url({ os: 'linux', arch: 'amd64' })).origin;
  const mirror = env['KCONN_TOOL_MIRROR'];
  const proxy = env['HTTPS_PROXY'] ?? env['https_proxy'];
  return [
    `install ${spec.name} ${acceptedVersions(spec)} on PATH (${spec.installDocs})`,
    mirror
      ? `check that KCONN_TOOL_MIRROR=${mirror} serves the file (it replaces ${origin} and keeps the path), or unset it`
      : `set KCONN_TOOL_MIRROR to a mirror of ${origin} (same paths)`,
    !proxy
      ? "behind a proxy: export HTTPS_PROXY=<proxy URL> NODE_USE_ENV_PROXY=1 (Node's fetch uses a proxy only with the latter)"
      : env['NODE_USE_ENV_PROXY'] !== '1'
        ? "HTTPS_PROXY is set, but Node's fetch ignores it unless NODE_USE_ENV_PROXY=1: export NODE_USE_ENV_PROXY=1"
        : `check that the proxy in HTTPS_PROXY lets ${origin} through (and that NO_PROXY does not list it)`,
  ];
}
