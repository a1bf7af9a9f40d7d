import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadProject } from '../../../harness/load/loadProject.js';
import { needsExternalEndpoint, usesExternalName } from '../../../harness/model/needsExternalEndpoint.js';
import type { ConnectivityTest, SuiteTest } from '../../../harness/model/suite.js';

const SUITE = `apiVersion: kconn.dev/v1alpha1
kind: Suite
metadata: {name: ext}
spec:
  tests:
    - name: by ip
      from: {selector: app=client}
      to: {external: true, port: 80}
      protocol: http
      expect: reachable
    - name: by name verified
      from: {selector: app=client}
      to: {host: external.kconn.test, port: 443}
      protocol: https
      tls: {ca: run}
      expect: reachable
    - name: name resolves
      from: {selector: app=client}
      dns: {name: external.kconn.test.}
      expect: resolves
    - name: unrelated host
      from: {selector: app=client}
      to: {host: example.com, port: 443}
      protocol: https
      expect: reachable
    - name: unrelated name
      from: {selector: app=client}
      dns: {name: kconn.test.example.com}
      expect: resolves
`;

describe('suite format: the external endpoint and the run CA', () => {
  let dir: string;
  let tests: readonly SuiteTest[];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kconn-ext-'));
    writeFileSync(join(dir, 'ext.yaml'), SUITE);
    const project = await loadProject([dir]);
    expect(project.diagnostics).to.deep.equal([]);
    tests = project.suites[0]!.tests;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('to: {external: true} is a host target outside the clusters, named for reports, resolved to the address at run time', () => {
    const t = tests[0] as ConnectivityTest;
    expect(t.to).to.deep.equal({ kind: 'host', host: 'external.kconn.test', external: true, port: 80 });
    expect(t.tls).to.equal(undefined);
  });

  it('tls: {ca: run} is kept on an https test; a plain host by name is not "external"', () => {
    const t = tests[1] as ConnectivityTest;
    expect(t.tls).to.deep.equal({ ca: 'run' });
    expect(t.to).to.deep.equal({ kind: 'host', host: 'external.kconn.test', port: 443 });
    expect((tests[3] as ConnectivityTest).tls).to.equal(undefined);
  });

  it('says which tests need the endpoint, and which look its name up', () => {
    expect(tests.map(needsExternalEndpoint)).to.deep.equal([true, true, true, false, false]);
    expect(tests.map(usesExternalName)).to.deep.equal([false, true, true, false, false]);
  });
});
