/** A Semantic Versioning 2.0.0 version, as tools print it (`v0.33.0`, `0.34.0-alpha.12+0a1b2c3d4e5f60`). */
export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Dot-separated pre-release identifiers; empty for a release. Build metadata is dropped (it has no precedence). */
  readonly prerelease: readonly string[];
}

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parses `v1.2.3`, `1.2.3`, `v1.2.3-rc.1+build`; undefined for anything else (no partial versions, no garbage). */
export function parseSemVer(text: string): SemVer | undefined {
  const m = SEMVER.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ? m[4].split('.') : [] };
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return Math.sign(Number(a) - Number(b));
  if (an !== bn) return an ? -1 : 1; // numeric identifiers have lower precedence
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Precedence per semver.org section 11: negative when a < b, 0 when equal, positive when a > b. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) {
    if (a[k] !== b[k]) return Math.sign(a[k] - b[k]);
  }
  // A release outranks any pre-release of the same version (1.0.0-alpha < 1.0.0).
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return Math.sign(b.prerelease.length - a.prerelease.length);
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i++) {
    const c = compareIdentifiers(a.prerelease[i]!, b.prerelease[i]!);
    if (c !== 0) return c;
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}

/** compareSemVer on strings; throws on a string that is not a version (a programming error in a pin, not user input). */
export function compareVersions(a: string, b: string): number {
  const pa = parseSemVer(a);
  const pb = parseSemVer(b);
  if (!pa) throw new Error(`not a semantic version: ${JSON.stringify(a)}`);
  if (!pb) throw new Error(`not a semantic version: ${JSON.stringify(b)}`);
  return compareSemVer(pa, pb);
}
