import { expect } from 'chai';
import { runIdProblem, RUN_ID } from '../../../harness/model/runId.js';
import { compareSemVer, compareVersions, parseSemVer } from '../../../harness/model/semver.js';
import { checkVersion, type VersionPolicy } from '../../../harness/model/versionPolicy.js';

// Semantic versions (what `kconn up` accepts for a CNI or kind version) and run ids: pure functions, every rule pinned.

describe('model: semantic versions', () => {
  it('parses releases and pre-releases, with or without a "v", dropping build metadata', () => {
    expect(parseSemVer('v0.33.0')).to.deep.equal({ major: 0, minor: 33, patch: 0, prerelease: [] });
    expect(parseSemVer(' 1.22.333 ')).to.deep.equal({ major: 1, minor: 22, patch: 333, prerelease: [] });
    expect(parseSemVer('0.34.0-alpha.12+0a1b2c3d4e5f60')).to.deep.equal({ major: 0, minor: 34, patch: 0, prerelease: ['alpha', '12'] });
    expect(parseSemVer('1.0.0-rc-1')).to.deep.equal({ major: 1, minor: 0, patch: 0, prerelease: ['rc-1'] });
    expect(parseSemVer('10.20.30+build.5')).to.deep.equal({ major: 10, minor: 20, patch: 30, prerelease: [] });
  });

  it('refuses partial versions, leading zeros, garbage around it and empty identifiers', () => {
    for (const bad of ['1.2', '1', 'v', '', '01.2.3', '1.02.3', '1.2.03', 'x1.2.3', '1.2.3x', '1.2.3-', '1.2.3-a..b', '1.2.3+', 'V1.2.3', 'vv1.2.3', '1.2.3.4', '1.2.3-a_b']) {
      expect(parseSemVer(bad), bad).to.equal(undefined);
    }
    expect(parseSemVer('0.0.0')).to.deep.include({ major: 0, minor: 0, patch: 0 });
  });

  it('orders by major, minor, patch, then pre-release as semver.org says', () => {
    const order = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '1.10.0', '2.0.0'];
    for (let i = 0; i < order.length; i++) {
      for (let j = 0; j < order.length; j++) {
        expect(compareVersions(order[i]!, order[j]!), `${order[i]} vs ${order[j]}`).to.equal(Math.sign(i - j));
      }
    }
    expect(compareVersions('v1.2.3', '1.2.3+other')).to.equal(0);
    expect(compareVersions('1.0.0-2', '1.0.0-10'), 'numeric identifiers compare as numbers').to.equal(-1);
    expect(compareVersions('1.0.0-b', '1.0.0-a')).to.equal(1);
    expect(compareSemVer({ major: 3, minor: 0, patch: 0, prerelease: [] }, { major: 1, minor: 9, patch: 9, prerelease: [] })).to.equal(1);
  });

  it('compareVersions throws on a string that is not a version, naming it', () => {
    expect(() => compareVersions('1.2', '1.2.3')).to.throw('not a semantic version: "1.2"');
    expect(() => compareVersions('1.2.3', 'latest')).to.throw('not a semantic version: "latest"');
  });
});

describe('model: version policy', () => {
  const helm: VersionPolicy = { pinned: '1.16.5', oldest: '1.15.0', spelling: 'plain', why: 'older charts lack the values kconn sets' };
  const tags: VersionPolicy = { pinned: 'v3.29.1', oldest: 'v3.27.0', spelling: 'v-prefixed', why: 'older manifests use another URL' };

  it('accepts the pinned version, older patches and minors down to the oldest', () => {
    for (const v of ['1.16.5', '1.16.0', '1.16.9', '1.15.0', '1.15.7']) expect(checkVersion('cilium', v, helm), v).to.deep.equal({ ok: true });
    expect(checkVersion('calico', 'v3.27.0', tags)).to.deep.equal({ ok: true });
  });

  it('refuses what is not a version, with an example', () => {
    expect(checkVersion('cilium', 'latest', helm)).to.deep.equal({ ok: false, severity: 'error', message: 'cilium version "latest" is not a version; write it like 1.16.5' });
  });

  it('refuses the wrong spelling, saying which', () => {
    expect(checkVersion('cilium', 'v1.16.5', helm)).to.deep.equal({ ok: false, severity: 'error', message: 'cilium versions are written without a "v" here: did you mean 1.16.5?' });
    expect(checkVersion('calico', '3.29.1', tags)).to.deep.equal({ ok: false, severity: 'error', message: 'calico versions are written with a "v" here: did you mean v3.29.1?' });
  });

  it('refuses versions older than the oldest (saying why) and other majors', () => {
    expect(checkVersion('cilium', '1.14.9', helm)).to.deep.equal({
      ok: false,
      severity: 'error',
      message: 'kconn has no install steps for cilium 1.14.9: it installs 1.15.0 to 1.16.x (pinned 1.16.5): older charts lack the values kconn sets',
    });
    expect(checkVersion('cilium', '1.15.0-rc.1', helm), 'a pre-release of the oldest is older').to.deep.include({ ok: false, severity: 'error' });
    expect(checkVersion('cilium', '2.0.0', helm)).to.deep.equal({ ok: false, severity: 'error', message: 'kconn has no install steps for cilium 2.0.0: it installs 1.15.0 to 1.16.x (pinned 1.16.5)' });
    expect(checkVersion('calico', 'v2.29.1', tags)).to.deep.equal({
      ok: false,
      severity: 'error',
      message: 'kconn has no install steps for calico v2.29.1: it installs v3.27.0 to v3.29.x (pinned v3.29.1): older manifests use another URL',
    });
  });

  it('a newer minor of the same major is a warning, not an error', () => {
    expect(checkVersion('cilium', '1.17.0', helm)).to.deep.equal({
      ok: false,
      severity: 'warning',
      message: 'cilium 1.17.0 is newer than the versions kconn was written against (1.15.0 to 1.16.x (pinned 1.16.5)); it may work',
    });
    expect(checkVersion('calico', 'v3.30.0', tags)).to.deep.include({ severity: 'warning' });
  });
});

describe('model: run ids', () => {
  it('1 to 6 lowercase letters or digits', () => {
    for (const ok of ['a', '0', 'abc123', 'zzzzzz']) expect(runIdProblem(ok), ok).to.equal(undefined);
    expect(RUN_ID.test('abcdefg')).to.equal(false);
    expect(RUN_ID.test('xabc-1')).to.equal(false);
  });

  it('says why anything else is not one, never echoing more than 40 characters', () => {
    expect(runIdProblem('')).to.equal('"" is not a run id (1-6 lowercase letters or digits, as kconn prints them)');
    expect(runIdProblem('abcdefg')).to.equal('"abcdefg" is not a run id (1-6 lowercase letters or digits, as kconn prints them)');
    expect(runIdProblem('Ab1')).to.match(/^"Ab1" is not a run id/);
    expect(runIdProblem(' ab1')).to.match(/^" ab1" is not a run id/);
    expect(runIdProblem('ab1\n')).to.match(/^"ab1\\n" is not a run id/);
    expect(runIdProblem('x'.repeat(40))).to.equal(`"${'x'.repeat(40)}" is not a run id (1-6 lowercase letters or digits, as kconn prints them)`);
    expect(runIdProblem('y'.repeat(41))).to.equal(`"${'y'.repeat(40)}..." is not a run id (1-6 lowercase letters or digits, as kconn prints them)`);
    expect(runIdProblem(7)).to.equal('expected a string, got number');
    expect(runIdProblem(null)).to.equal('expected a string, got null');
    expect(runIdProblem(['a'])).to.equal('expected a string, got a list');
    expect(runIdProblem(undefined)).to.equal('expected a string, got undefined');
    expect(runIdProblem({})).to.equal('expected a string, got object');
  });
});
