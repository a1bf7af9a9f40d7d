import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { README_BEGIN, README_END, cniRows, readmeCniSection, renderCnisMarkdown, renderCnisText } from '../../../harness/cni/cniTable.js';
import {
  CNI_FEATURES,
  FEATURE_FACTS,
  KNOWN_DIFFERENCES,
  describeRange,
  differencesOf,
  featuresOf,
  findDifference,
  inRange,
} from '../../../harness/cni/knownDifferences.js';
import { CNI_NAMES, CNI_PLUGINS } from '../../../harness/cni/registry.js';
import { KIND_VERSION } from '../../../harness/plan/nodeImages.js';
import { REPO_ROOT } from '../../support/paths.js';

describe('CNI capabilities and known differences (harness/cni/knownDifferences.ts)', () => {
  it('every entry names a registered CNI (or every CNI), a known feature, and an https source', () => {
    for (const f of FEATURE_FACTS) {
      expect(CNI_NAMES, JSON.stringify(f)).to.include(f.cni);
      expect(CNI_FEATURES).to.include(f.feature);
      expect(f.source, f.note).to.match(/^https:\/\/\S+$/);
    }
    for (const d of KNOWN_DIFFERENCES) {
      expect([...CNI_NAMES, '*'], d.id).to.include(d.cni);
      expect(d.source, d.id).to.match(/^https:\/\/\S+$/);
      expect(d.features.length, d.id).to.be.greaterThan(0);
    }
    expect(new Set(KNOWN_DIFFERENCES.map((d) => d.id)).size).to.equal(KNOWN_DIFFERENCES.length);
  });

  it('no two facts of one CNI and feature cover the same version', () => {
    const probes = ['0.1.0', '1.15.9', '1.16.0', '1.19.7', '3.32.1', 'v0.28.9', 'bundled'];
    for (const cni of CNI_NAMES) {
      for (const feature of CNI_FEATURES) {
        for (const v of probes) {
          const hits = FEATURE_FACTS.filter((f) => f.cni === cni && f.feature === feature && inRange(v, f.versions));
          expect(hits.length, `${cni} ${feature} ${v}`).to.be.at.most(1);
        }
      }
    }
  });

  it('version ranges: from inclusive, before exclusive; a non-version only in the open range', () => {
    expect(inRange('1.15.9', { before: '1.16.0' })).to.equal(true);
    expect(inRange('1.16.0', { before: '1.16.0' })).to.equal(false);
    expect(inRange('1.16.0', { from: '1.16.0' })).to.equal(true);
    expect(inRange('v0.28.9', { from: '0.25.0', before: '0.29.0' })).to.equal(true);
    expect(inRange('bundled', {})).to.equal(true);
    expect(inRange('bundled', { from: '1.0.0' })).to.equal(false);
    expect(describeRange({})).to.equal('all versions');
    expect(describeRange({ from: '1.0.0', before: '2.0.0' })).to.equal('>= 1.0.0, < 2.0.0');
  });

  it('holds the facts the matrix relies on', () => {
    expect(featuresOf('flannel', 'v0.28.9').networkPolicy.support).to.equal('unsupported');
    expect(differencesOf('flannel', 'v0.28.9').map((d) => d.id)).to.include('flannel-no-networkpolicy');
    // Cilium: endPort from 1.16 on, ignored before; ipBlock never matches pod IPs; SCTP off as kconn installs it.
    expect(featuresOf('cilium', '1.15.5').endPort.support).to.equal('unsupported');
    expect(differencesOf('cilium', '1.15.5').map((d) => d.id)).to.include('cilium-endport-ignored');
    expect(featuresOf('cilium', '1.19.7').endPort.support).to.equal('supported');
    expect(differencesOf('cilium', '1.19.7').map((d) => d.id)).to.not.include('cilium-endport-ignored');
    expect(featuresOf('cilium', '1.19.7').ipBlockPodIps.support).to.equal('unsupported');
    expect(findDifference('cilium-ipblock-pod-ip')?.reason).to.match(/policyCIDRMatchMode/);
    expect(featuresOf('cilium', '1.19.7').sctp.support).to.equal('unsupported');
    expect(featuresOf('calico', 'v3.32.1').sctp.support).to.equal('supported');
    expect(featuresOf('calico', 'v3.32.1').endPort.support).to.equal('supported');
    // A difference of every CNI applies to each.
    for (const cni of CNI_NAMES) expect(differencesOf(cni, 'v9.9.9').map((d) => d.id), cni).to.include('hostnetwork-undefined');
    expect(featuresOf('kindnet', 'bundled').sctp.support).to.equal('unknown');
  });

  it('kconn cnis text: one block per CNI with version, capabilities, every feature and the differences with sources', () => {
    const lines = renderCnisText(cniRows(CNI_PLUGINS, KIND_VERSION));
    expect(lines).to.include(`kindnet bundled with kind ${KIND_VERSION}`);
    expect(lines).to.include('flannel v0.28.9');
    expect(lines).to.include('  capabilities: (none)');
    expect(lines.filter((l) => l.startsWith('  capabilities: ')).length).to.equal(CNI_PLUGINS.length);
    expect(lines).to.include('  SCTP in NetworkPolicy: unsupported (beta, only with Helm value sctp.enabled=true, which kconn does not set) https://docs.cilium.io/en/stable/configuration/sctp/');
    expect(lines.some((l) => l.startsWith('    flannel-no-networkpolicy: Flannel enforces no NetworkPolicy') && l.endsWith('(https://pkg.go.dev/github.com/flannel-io/flannel@v0.28.9)'))).to.equal(true);
  });

  it('the README table is the one generated from this data', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readmeCniSection(readme);
    expect(section, `README.md lacks the markers ${README_BEGIN} ... ${README_END}`).to.be.a('string');
    expect(section, 'README.md is out of date: replace its block with the output of `npx kconn cnis --output markdown`').to.equal(renderCnisMarkdown(cniRows(CNI_PLUGINS, KIND_VERSION)));
  });

  it('readmeCniSection: undefined without markers; the markdown escapes pipes', () => {
    expect(readmeCniSection('no markers')).to.equal(undefined);
    expect(readmeCniSection(`${README_BEGIN}\nx\n${README_END}`)).to.equal('x\n');
    const [row] = cniRows(CNI_PLUGINS, KIND_VERSION);
    const md = renderCnisMarkdown([{ ...row!, version: 'a|b' }]);
    expect(md).to.contain('a\\|b');
  });
});
