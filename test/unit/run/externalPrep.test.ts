import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { ConnectivityTest } from '../../../harness/model/suite.js';
import type { ExecResult, PodExec } from '../../../harness/probe/podExec.js';
import { CleanupRegistry } from '../../../harness/provision/cleanup.js';
import { coreDnsServers, installRunCa, prepareExternal, WRITE_FILE_SCRIPT, writeFileArgv } from '../../../harness/run/externalPrep.js';
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

  it("the CoreDNS servers asked are the rollout's new pods: waited for until the coredns Deployment is rolled out, pods being deleted left out", async () => {
    const api = new MemoryKubeApi();
    const pod = (name: string, ip: string, deleting = false) =>
      api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ...(deleting ? { deletionTimestamp: '2026-12-07T16:00:00Z' } : {}) }, status: { phase: 'Running', podIP: ip } } as never);
    const deployment = (status: Record<string, number>) =>
      api.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system', generation: 2 }, spec: { replicas: 2 }, status } as never);
    // Mid-rollout (what kconn's Corefile restart gives): two old pods, one new one.
    pod('coredns-old-1', '10.10.0.2');
    pod('coredns-old-2', '10.10.0.3');
    pod('coredns-new-1', '10.10.0.4');
    deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 2 });
    let polls = 0;
    const servers = await coreDnsServers(api, 10_000, async () => {
      polls++;
      if (polls === 2) {
        // The rollout ends: one old pod is gone, the other is being deleted, the second new pod runs.
        void api.delete({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'coredns-old-1', namespace: 'kube-system' } } as never);
        pod('coredns-old-2', '10.10.0.3', true);
        pod('coredns-new-2', '10.10.0.5');
        deployment({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 });
      }
    });
    expect(polls, 'waited until the rollout was done').to.equal(2);
    expect(servers.sort()).to.deep.equal(['10.10.0.4', '10.10.0.5']);
    // No such Deployment (not kubeadm's CoreDNS): the pods as they are, no wait.
    const bare = new MemoryKubeApi();
    bare.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, status: { phase: 'Running', podIP: '10.10.0.9' } } as never);
    expect(await coreDnsServers(bare, 10_000, async () => expect.fail('no wait without a Deployment'))).to.deep.equal(['10.10.0.9']);
    // A rollout that never ends: at most withinMs, then the pods as they are (the DNS wait names what does not answer).
    const stuck = new MemoryKubeApi();
    stuck.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system', generation: 3 }, spec: { replicas: 2 }, status: { observedGeneration: 2 } } as never);
    const started = Date.now();
    expect(await coreDnsServers(stuck, 300, (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))))).to.deep.equal([]);
    expect(Date.now() - started).to.be.within(300, 2000);
  });
});
