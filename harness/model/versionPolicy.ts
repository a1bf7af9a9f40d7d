import { compareSemVer, parseSemVer } from './semver.js';

/**
 * Which versions of a component kconn can install: the install steps (URL patterns, chart values, CRD fields) were
 * written against the versions from `oldest` up to the pinned one's minor. Pure.
 */
export interface VersionPolicy {
  /** The version kconn uses when none is named, and tests against. */
  readonly pinned: string;
  /** Oldest version the install steps hold for. */
  readonly oldest: string;
  /** How upstream spells a version where kconn uses it: `v1.2.3` (git tags in URLs) or `1.2.3` (Helm chart versions). */
  readonly spelling: 'v-prefixed' | 'plain';
  /** Why older versions are out (shown to users). */
  readonly why: string;
}

export type VersionVerdict = { ok: true } | { ok: false; severity: 'error' | 'warning'; message: string };

/** Whether `version` of `component` can be installed by kconn; a newer minor than the pin is allowed with a warning. */
export function checkVersion(component: string, version: string, policy: VersionPolicy): VersionVerdict {
  const example = policy.pinned;
  const parsed = parseSemVer(version);
  if (!parsed) return { ok: false, severity: 'error', message: `${component} version "${version}" is not a version; write it like ${example}` };
  const prefixed = version.startsWith('v');
  if (prefixed !== (policy.spelling === 'v-prefixed')) {
    const fixed = prefixed ? version.slice(1) : `v${version}`;
    return { ok: false, severity: 'error', message: `${component} versions are written ${prefixed ? 'without' : 'with'} a "v" here: did you mean ${fixed}?` };
  }
  const pinned = parseSemVer(policy.pinned)!;
  const oldest = parseSemVer(policy.oldest)!;
  const range = `${policy.oldest} to ${policy.spelling === 'v-prefixed' ? 'v' : ''}${pinned.major}.${pinned.minor}.x (pinned ${policy.pinned})`;
  if (parsed.major !== pinned.major || compareSemVer(parsed, oldest) < 0) {
    const reason = compareSemVer(parsed, oldest) < 0 ? `: ${policy.why}` : '';
    return { ok: false, severity: 'error', message: `kconn has no install steps for ${component} ${version}: it installs ${range}${reason}` };
  }
  if (parsed.minor > pinned.minor) {
    return { ok: false, severity: 'warning', message: `${component} ${version} is newer than the versions kconn was written against (${range}); it may work` };
  }
  return { ok: true };
}
