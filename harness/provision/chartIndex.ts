import { load } from 'js-yaml';
import { compareVersions, parseSemVer } from '../model/semver.js';

/** The versions of `chart` a Helm repository index lists; undefined when the text is not an index that has the chart. */
export function chartVersions(indexYaml: string, chart: string): string[] | undefined {
  let index: unknown;
  try {
    index = load(indexYaml);
  } catch {
    return undefined;
  }
  const entries = (index as { entries?: Record<string, { version?: unknown }[]> } | undefined)?.entries?.[chart];
  if (!Array.isArray(entries)) return undefined;
  return entries.map((e) => e.version).filter((v): v is string => typeof v === 'string');
}

/**
 * Why a pinned chart version cannot be installed, or undefined when the index lists it (or cannot say). The message
 * names the newest versions of the same minor the index has, so the fix is one edit away.
 */
export function missingChartVersion(indexYaml: string, repo: string, chart: string, version: string): string | undefined {
  const versions = chartVersions(indexYaml, chart);
  if (!versions || versions.includes(version)) return undefined;
  const wanted = parseSemVer(version);
  const sameMinor = versions
    .filter((v) => {
      const p = parseSemVer(v);
      return p && wanted && p.major === wanted.major && p.minor === wanted.minor && p.prerelease.length === 0;
    })
    .sort((a, b) => compareVersions(b, a));
  const hint = sameMinor.length ? `; the newest ${wanted!.major}.${wanted!.minor} there: ${sameMinor.slice(0, 3).join(', ')}` : '';
  return `chart ${chart} ${version} is not in ${indexUrl(repo)}${hint}: set the version in the topology (cni: {name: ..., version: ...} for a CNI, multicluster.version for a multi-cluster provider) to one the repository lists`;
}

export function indexUrl(repo: string): string {
  return `${repo.replace(/\/+$/, '')}/index.yaml`;
}
