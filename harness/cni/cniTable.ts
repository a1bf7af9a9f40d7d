import type { CniPlugin } from './cniPlugin.js';
import {
  CNI_FEATURES,
  FEATURE_TITLES,
  KNOWN_DIFFERENCES,
  describeRange,
  differencesOf,
  featuresOf,
  type CniFeature,
  type FeatureFact,
  type KnownDifference,
  type Support,
} from './knownDifferences.js';

/** One CNI as `kconn cnis` and the README show it: its pinned version, capabilities, features and known differences. */
export interface CniRow {
  readonly cni: string;
  readonly version: string;
  readonly capabilities: readonly string[];
  readonly features: Readonly<Record<CniFeature, { readonly support: Support; readonly note?: string; readonly source?: string }>>;
  readonly differences: readonly KnownDifference[];
}

/** The rows for these plugins at their default versions (`kindVersion` names what kindnet is bundled with). Pure. */
export function cniRows(plugins: readonly CniPlugin[], kindVersion: string): CniRow[] {
  return plugins.map((p) => {
    const version = p.defaultVersion === 'bundled' ? `bundled with kind ${kindVersion}` : p.defaultVersion;
    const facts = featuresOf(p.name, p.defaultVersion);
    const features = {} as Record<CniFeature, { support: Support; note?: string; source?: string }>;
    for (const f of CNI_FEATURES) {
      const fact = facts[f];
      features[f] = 'note' in fact ? { support: fact.support, note: (fact as FeatureFact).note, source: fact.source } : { support: 'unknown' };
    }
    return { cni: p.name, version, capabilities: p.capabilities({}), features, differences: differencesOf(p.name, p.defaultVersion) };
  });
}

/** `kconn cnis`: one block per CNI, plain lines. */
export function renderCnisText(rows: readonly CniRow[]): string[] {
  const lines: string[] = [];
  for (const row of rows) {
    if (lines.length > 0) lines.push('');
    lines.push(`${row.cni} ${row.version}`);
    lines.push(`  capabilities: ${row.capabilities.length > 0 ? row.capabilities.join(', ') : '(none)'}`);
    for (const f of CNI_FEATURES) {
      const fact = row.features[f];
      lines.push(`  ${FEATURE_TITLES[f].replace(/`/g, '')}: ${fact.support}${fact.note ? ` (${fact.note})` : ''}${fact.source ? ` ${fact.source}` : ''}`);
    }
    if (row.differences.length === 0) lines.push('  known differences: none recorded');
    else {
      lines.push('  known differences:');
      for (const d of row.differences) lines.push(`    ${d.id}: ${d.reason} (${d.source})`);
    }
  }
  return lines;
}

const SUPPORT_MARK: Readonly<Record<Support, string>> = { supported: 'yes', unsupported: 'no', partial: 'partial', unknown: '?' };

/** A Markdown table cell: pipes escaped, no line breaks. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * The README's table (between the `<!-- kconn cnis -->` markers): features per CNI at its pinned version with a link
 * to each source, then every known difference with the versions it holds for. Generated from the same data as `kconn cnis`; a unit test fails when the README drifts.
 */
export function renderCnisMarkdown(rows: readonly CniRow[], differences: readonly KnownDifference[] = KNOWN_DIFFERENCES): string {
  const head = ['CNI', 'version', 'capabilities', ...CNI_FEATURES.map((f) => FEATURE_TITLES[f])];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const row of rows) {
    const features = CNI_FEATURES.map((f) => {
      const fact = row.features[f];
      return fact.source ? `[${SUPPORT_MARK[fact.support]}](${fact.source})` : SUPPORT_MARK[fact.support];
    });
    lines.push(`| \`${row.cni}\` | ${cell(row.version)} | ${row.capabilities.length > 0 ? row.capabilities.join(', ') : '(none)'} | ${features.join(' | ')} |`);
  }
  lines.push('', '| known difference | CNI | versions | reason | source |', '| --- | --- | --- | --- | --- |');
  // Every version's differences, not only the pinned one's: the README is the versioned table.
  for (const d of differences) {
    lines.push(`| \`${d.id}\` | ${d.cni === '*' ? 'every CNI' : d.cni} | ${describeRange(d.versions)} | ${cell(d.reason)} | <${d.source}> |`);
  }
  return lines.join('\n') + '\n';
}

export const README_BEGIN = '<!-- kconn cnis: generated from harness/cni/knownDifferences.ts; test/unit/cni/cniTable.test.ts checks it -->';
export const README_END = '<!-- end of kconn cnis -->';

/** The generated part of README text, or undefined when the markers are missing. */
export function readmeCniSection(readme: string): string | undefined {
  const start = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + README_BEGIN.length, end).replace(/^\n/, '');
}
