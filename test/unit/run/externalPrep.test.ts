import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { ConnectivityTest } from '../../../harness/model/suite.js';
import type { ExecResult, PodExec } from '../../../harness/probe/podExec.js';
import { CleanupRegistry } from '../../../harness/provision/cleanup.js';
import { installRunCa, prepareExternal, WRITE_FILE_SCRIPT, writeFileArgv } from '../../../harness/run/externalPrep.js';
import { probeSpecFor, RUN_CA_PATH } from '../../../harness/run/probeSpecs.js';
import type { ClusterAccess, SuiteRunOptions } from '../../../harness/run/runOptions.js';
import { resolveTest } from '../../../harness/run/testResolution.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

const https = (over: Partial<ConnectivityTest> = {}): ConnectivityTest => ({
  type: 'connectivity', name: 't', from: { namespace: 'demo', selector: 'app=client' },
  to: { kind: 'host', host: 'external.kconn.test', external: true, port: 443 }, protocol: 'https',
  expect: { kind: 'connectivity', outcome: 'reachable' }, timeoutMs: 1000, attempts: 1, source: { file: 's.yaml', doc: 0, path: [] }, ...over,
});

describe('external endpoint in the run: probe specs, resolution, the run CA', () => {
  it('tls: {ca: run} makes the https probe verify against the CA file in the source; without it, no caFile', () => {
    expect(probeSpecFor(https({ tls: { ca: 'run' } }), '172.18.0.9')).to.deep.equal({ kind: 'http', scheme: 'https', host: '172.18.0.9', port: 443, timeoutMs: 1000, caFile: RUN_CA_PATH });
    expect(probeSpecFor(https(), '172.18.0.9')).to.not.have.property('caFile');
  });

  it('writes a file through a fixed script: the content (any bytes) and the path are arguments, never script text', () => {
    const nasty = "-----BEGIN CERTIFICATE-----\n'$(touch /tmp/pwned)\"`x`;\n-----END CERTIFICATE-----\n";
    const argv = writeFileArgv(nasty, '/tmp/f');
    expect(argv.slice(0, 3)).to.deep.equal(['bash', '-c', WRITE_FILE_SCRIPT]);
    expect(argv.slice(4)).to.deep.equal([Buffer.from(nasty).toString('base64'), '/tmp/f']);
    const dir = mkdtempSync(join(tmpdir(), 'kconn-write-'));
    try {
      const target = join(dir, 'ca.pem');
      execFileSync(argv[0]!, [...argv.slice(1, 5), target]);
      expect(readFileSync(target, 'utf8')).to.equal(nasty);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a CA that cannot be written is a reason, not a throw', async () => {
    const exec: PodExec = { source: 'pod x', reproduce: () => '', exec: async (): Promise<ExecResult> => ({ exitCode: 1, stdout: '', stderr: 'read-only file system' }) };
    expect(await installRunCa(exec, 'pem')).to.equal(`could not write the run CA to ${RUN_CA_PATH} in pod x (exit 1): read-only file system`);
  });

  it('resolves {external: true} to the endpoint address; a failed CA install makes the test an error before any probe', async () => {
    const api = new MemoryKubeApi();
    api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client-1', namespace: 'demo', labels: { app: 'client' } }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', podIP: '10.0.0.5', conditions: [{ type: 'Ready', status: 'True' }] } } as never);
    const argvs: (readonly string[])[] = [];
    const exec: PodExec = {
      source: 'pod main/demo/client-1', reproduce: () => '',
      exec: async (argv): Promise<ExecResult> => {
        argvs.push(argv);
        return { exitCode: 2, stdout: '', stderr: 'base64: invalid input' };
      },
    };
    const access: ClusterAccess = { name: 'main', api, execFor: () => exec };
    const opts: SuiteRunOptions = {
      clusters: new Map([['main', access]]), runNamespace: 'kconn-t1', cleanup: new CleanupRegistry(), keep: false,
      signal: new AbortController().signal, progress: () => undefined, readyTimeoutMs: 1000,
      external: { ip: '172.18.0.9', name: 'external.kconn.test', caPem: 'PEM' },
    };
    const t = { name: 't', test: https({ tls: { ca: 'run' } }), fromCluster: 'main', toCluster: 'main' };
    const resolved = await resolveTest(t, opts);
    expect(resolved).to.deep.include({ targets: ['172.18.0.9'] });
    expect(resolved.problem).to.equal(undefined);
    const [prepared] = await prepareExternal([resolved, resolved], opts);
    expect(prepared!.problem).to.match(/^could not write the run CA to \/tmp\/kconn-run-ca\.pem in pod main\/demo\/client-1 \(exit 2\)/);
    expect(argvs, 'one install per source pod').to.have.length(1);
    expect(argvs[0]).to.deep.equal(writeFileArgv('PEM', RUN_CA_PATH));
  });
});
