import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import { load } from 'js-yaml';
import type { StartedTestContainer } from 'testcontainers';
import { DockerLab, requireDocker } from '../support/dockerLab.js';
import { FakeKubeApiServer } from '../support/fakeKubeApiServer.js';
import { fakeToolEnv, kubeconfigFor } from '../support/fakeTools.js';
import { REPO_ROOT } from '../support/paths.js';

/**
 * `kconn up/down/run` as processes, with a recording fake `kind` first on PATH and a fake Kubernetes API whose objects
 * become ready over time. kind itself cannot run on this project's build machines; these tests pin the exact argv
 * and files kconn hands to kind, the polling, and the cleanup on failure, timeout and Ctrl-C.
 */
describe('provisioning through the CLI (fake kind, fake API server)', function () {
  this.timeout(60_000);
  let api: FakeKubeApiServer;
  let project: string;
  let tools: ReturnType<typeof fakeToolEnv>;

  const TOPOLOGY = 'apiVersion: kconn.dev/v1alpha1\nkind: Topology\nmetadata: {name: t}\nspec:\n  cni: kindnet\n  clusters:\n    - {name: main, workers: 0}\n';
  const SUITE = [
    'apiVersion: kconn.dev/v1alpha1', 'kind: Suite', 'metadata: {name: s}', 'spec:', '  tests:',
    '    - name: client reaches the echo service',
    '      from: {namespace: demo, selector: app=client}',
    '      to: {service: demo/echo, port: 8080}',
    '      expect: reachable', '',
  ].join('\n');

  const readyNode = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'control-plane' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };

  beforeEach(async () => {
    api = new FakeKubeApiServer();
    const url = await api.start();
    project = mkdtempSync(join(tmpdir(), 'kconn-project-'));
    mkdirSync(join(project, 'clusters'));
    mkdirSync(join(project, 'suites'));
    writeFileSync(join(project, 'clusters', 't.yaml'), TOPOLOGY);
    writeFileSync(join(project, 'suites', 's.yaml'), SUITE);
    tools = fakeToolEnv(kubeconfigFor(url));
    // The node becomes Ready on the third look, kindnet at once, CoreDNS on the second: readiness must be polled.
    api.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'control-plane' }, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }] } });
    api.put({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'kindnet', namespace: 'kube-system', generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 1 } });
    api.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system', generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1 } });
    api.onRead = (kind, _name, reads) => {
      if (kind === 'Node' && reads >= 3) api.put(readyNode);
      if (kind === 'Deployment' && reads >= 2) {
        api.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system', generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 } });
      }
    };
  });

  afterEach(async () => api.stop());

  const kconn = (args: string[], env: Record<string, string> = {}): ResultPromise =>
    execa(process.execPath, [join(REPO_ROOT, 'bin', 'kconn.js'), ...args], { cwd: project, reject: false, env: { ...tools.env, ...env, CI: 'true' } }) as unknown as ResultPromise;

  const runIdOf = (stderr: string): string => /run ([a-z0-9]{6}):/.exec(stderr)?.[1] ?? '';

  it('up: hands kind the planned config, polls readiness, writes a private kubeconfig, and keeps the cluster', async () => {
    const r = await kconn(['up', '--topology', 'clusters/t.yaml']);
    expect(r.exitCode, String(r.stderr)).to.equal(0);
    const runId = runIdOf(String(r.stderr));
    expect(runId).to.match(/^[a-z0-9]{6}$/);
    const runs = join(tools.env['KCONN_STATE_DIR']!, 'runs');
    const dir = join(runs, runId, 'main');
    expect(tools.calls()).to.deep.include(['create', 'cluster', '--name', `kconn-${runId}-main`, '--config', `${dir}/kind-config.yaml`, '--kubeconfig', `${dir}/kubeconfig`]);
    expect(tools.calls().some((c) => c[0] === 'delete'), 'nothing deleted on success').to.equal(false);
    // The config handed to kind is exactly the one `kconn plan` shows for this run id.
    const plan = await execa(process.execPath, [join(REPO_ROOT, 'bin', 'kconn.js'), 'plan', '--topology', 'clusters/t.yaml', '--run-id', runId, '--output', 'json', '--kind-network', 'none'], { cwd: project, env: tools.env });
    expect(load(readFileSync(join(dir, 'kind-config.yaml'), 'utf8'))).to.deep.equal(JSON.parse(plan.stdout).clusters[0].kindConfig);
    expect(statSync(join(dir, 'kubeconfig')).mode & 0o777).to.equal(0o600);
    expect(String(r.stdout)).to.equal(`main\t${dir}/kubeconfig`);
    expect(api.requests.filter((q) => q.method === 'GET' && q.path === '/api/v1/nodes').length, 'nodes polled until Ready').to.be.at.least(3);
    expect(String(r.stderr)).to.include('1/1 nodes Ready');
    const state = JSON.parse(readFileSync(join(runs, runId, 'state.json'), 'utf8'));
    expect(state).to.deep.include({ runId, topology: 't', keep: true });
    expect(state.clusters.map((c: { kindName: string }) => c.kindName)).to.deep.equal([`kconn-${runId}-main`]);

    const down = await kconn(['down', '--run-id', runId]);
    expect(down.exitCode, String(down.stderr)).to.equal(0);
    expect(tools.calls()).to.deep.include(['delete', 'cluster', '--name', `kconn-${runId}-main`]);
    expect(existsSync(join(runs, runId))).to.equal(false);
  });

  it('up --reuse: after the inputs are checked and kind is found, picks up the kept clusters of the same plan and creates nothing', async () => {
    const first = await kconn(['up', '--topology', 'clusters/t.yaml']);
    expect(first.exitCode, String(first.stderr)).to.equal(0);
    const runId = runIdOf(String(first.stderr));
    const again = await kconn(['up', '--topology', 'clusters/t.yaml', '--reuse']);
    expect(again.exitCode, String(again.stderr)).to.equal(0);
    expect(String(again.stderr)).to.include(`reusing the clusters of run ${runId}`);
    expect(runIdOf(String(again.stderr)), 'planned again under the kept run id').to.equal(runId);
    expect(tools.calls().filter((c) => c[0] === 'create')).to.have.length(1);
    expect(String(again.stdout)).to.equal(`main\t${join(tools.env['KCONN_STATE_DIR']!, 'runs', runId, 'main', 'kubeconfig')}`);
  });

  it('two runs at once on one machine never collide', async () => {
    const [a, b] = await Promise.all([kconn(['up', '--topology', 'clusters/t.yaml']), kconn(['up', '--topology', 'clusters/t.yaml'])]);
    expect([a.exitCode, b.exitCode], String(a.stderr) + String(b.stderr)).to.deep.equal([0, 0]);
    const ids = [runIdOf(String(a.stderr)), runIdOf(String(b.stderr))];
    expect(ids[0]).to.not.equal(ids[1]);
    const created = tools.calls().filter((c) => c[0] === 'create').map((c) => c[c.indexOf('--name') + 1]);
    expect(created.sort()).to.deep.equal(ids.map((id) => `kconn-${id}-main`).sort());
    expect(String(a.stdout)).to.not.equal(String(b.stdout));
  });

  it('up: when kind fails, what was started is deleted and the exit code is 1', async () => {
    const r = await kconn(['up', '--topology', 'clusters/t.yaml'], { KCONN_FAKE_KIND_FAIL_CREATE: '1' });
    expect(r.exitCode).to.equal(1);
    const runId = runIdOf(String(r.stderr));
    expect(String(r.stderr)).to.include('failed to create cluster');
    expect(tools.calls()).to.deep.include(['delete', 'cluster', '--name', `kconn-${runId}-main`]);
    expect(existsSync(join(tools.env['KCONN_STATE_DIR']!, 'runs', runId)), 'no state left behind').to.equal(false);
  });

  it('up --timeout: a cluster that never gets ready is removed when the time is up, after saying what was wrong', async () => {
    api.onRead = () => undefined; // the node never becomes Ready
    api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kindnet-x1', namespace: 'kube-system', labels: { app: 'kindnet' } }, status: { phase: 'Running', containerStatuses: [{ name: 'kindnet-cni', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }] } });
    const started = Date.now();
    const r = await kconn(['up', '--topology', 'clusters/t.yaml', '--timeout', '4s']);
    expect(r.exitCode).to.equal(1);
    expect(Date.now() - started).to.be.lessThan(20_000);
    expect(String(r.stderr)).to.match(/did not finish within 4s/);
    expect(String(r.stderr)).to.include('kindnet pods:');
    expect(String(r.stderr)).to.include('Pod kube-system/kindnet-x1: Running; kindnet-cni: waiting CrashLoopBackOff, 3 restarts');
    const runId = runIdOf(String(r.stderr));
    expect(readFileSync(join(project, 'reports', runId, 'diagnostics-main.txt'), 'utf8')).to.include('waiting CrashLoopBackOff');
    expect(tools.calls().some((c) => c[0] === 'delete' && c[1] === 'cluster')).to.equal(true);
  });

  describe('a run that dies while provisioning still leaves junit.xml: a failed test per cluster, the suites not run', () => {
    const junitOf = (runId: string): string => readFileSync(join(project, 'reports', runId, 'junit.xml'), 'utf8');
    const resultsOf = (runId: string) => JSON.parse(readFileSync(join(project, 'reports', runId, 'results.json'), 'utf8')) as { suites: { name: string; tests: { name: string; status: string; message?: string; observed?: string }[] }[] };

    it('kind fails to create the cluster', async () => {
      const r = await kconn(['run', '--topology', 'clusters/t.yaml'], { KCONN_FAKE_KIND_FAIL_CREATE: '1' });
      expect(r.exitCode).to.equal(1);
      const runId = runIdOf(String(r.stderr));
      const results = resultsOf(runId);
      expect(results.suites.map((s) => s.name)).to.deep.equal(['provisioning', 's']);
      expect(results.suites[0]!.tests).to.have.length(1);
      expect(results.suites[0]!.tests[0]).to.deep.include({ name: 'cluster main comes up', status: 'fail' });
      expect(results.suites[0]!.tests[0]!.observed).to.include('failed to create cluster');
      expect(results.suites[1]!.tests.map((t) => [t.status, t.message?.slice(0, 32)])).to.deep.equal([['skip', 'not run: provisioning failed (cl']]);
      const junit = junitOf(runId);
      expect(junit).to.match(/<testcase [^>]*name="cluster main comes up"[^>]*>\s*<failure /);
      expect(junit).to.include('<skipped message="not run: provisioning failed');
      expect(String(r.stderr)).to.include(`reports: reports/${runId}/junit.xml`);
    });

    it('--timeout: the failure text holds the cluster\'s diagnostics', async () => {
      api.onRead = () => undefined; // the node never becomes Ready
      api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kindnet-x1', namespace: 'kube-system', labels: { app: 'kindnet' } }, status: { phase: 'Running', containerStatuses: [{ name: 'kindnet-cni', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }] } });
      const r = await kconn(['run', '--topology', 'clusters/t.yaml', '--timeout', '4s']);
      expect(r.exitCode).to.equal(1);
      const runId = runIdOf(String(r.stderr));
      const test = resultsOf(runId).suites[0]!.tests[0]!;
      expect(test.status).to.equal('fail');
      expect(test.observed).to.match(/did not finish within 4s/);
      expect(test.observed).to.include('kindnet-cni: waiting CrashLoopBackOff, 3 restarts');
      expect(tools.calls().some((c) => c[0] === 'delete' && c[1] === 'cluster'), 'the cluster is still removed').to.equal(true);
    });

    it('Ctrl-C: exit 130, and the report exists', async () => {
      const child = kconn(['run', '--topology', 'clusters/t.yaml'], { KCONN_FAKE_KIND_SLEEP: '30' });
      const deadline = Date.now() + 20_000;
      while (!tools.calls().some((c) => c[0] === 'create') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
      child.kill('SIGINT');
      const r = await child;
      expect(r.exitCode, String(r.stderr)).to.equal(130);
      const runId = runIdOf(String(r.stderr));
      const test = resultsOf(runId).suites[0]!.tests[0]!;
      expect(test).to.deep.include({ name: 'cluster main comes up', status: 'fail' });
      expect(test.observed).to.include('interrupted by SIGINT');
    });
  });

  it('Ctrl-C during up removes the cluster and exits 130', async () => {
    const child = kconn(['up', '--topology', 'clusters/t.yaml'], { KCONN_FAKE_KIND_SLEEP: '30' });
    const deadline = Date.now() + 20_000;
    while (!tools.calls().some((c) => c[0] === 'create') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode, String(r.stderr)).to.equal(130);
    expect(String(r.stderr)).to.include('SIGINT: stopping and removing what this run created');
    expect(tools.calls().some((c) => c[0] === 'delete' && c[1] === 'cluster')).to.equal(true);
  });

  it('run: a probe that cannot run is an error (never a pass), reports are written, clusters removed', async () => {
    api.onRead = (kind, _name, reads) => {
      if (kind === 'Node') api.put(readyNode);
      if (kind === 'Deployment' && reads >= 1) {
        api.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system', generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } });
      }
    };
    api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client-1', namespace: 'demo', labels: { app: 'client' } }, spec: { containers: [{ name: 'client' }] }, status: { phase: 'Running', podIP: '10.10.0.5', conditions: [{ type: 'Ready', status: 'True' }] } });
    api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: 'demo' }, spec: { clusterIP: '10.110.0.20' } });
    const r = await kconn(['run', '--topology', 'clusters/t.yaml']);
    expect(r.exitCode, String(r.stderr)).to.equal(1);
    const runId = runIdOf(String(r.stderr));
    const junit = readFileSync(join(project, 'reports', runId, 'junit.xml'), 'utf8');
    expect(junit).to.include('<error');
    expect(junit).to.not.include('<failure');
    const results = JSON.parse(readFileSync(join(project, 'reports', runId, 'results.json'), 'utf8'));
    const test = results.suites[0].tests[0];
    expect(test.status).to.equal('error');
    expect(test.results[0].outcome).to.equal('error');
    expect(test.results[0].reproduce).to.match(/^kubectl --kubeconfig \/\S+\/state\/runs\/\w+\/main\/kubeconfig -n demo exec client-1 -c client -- bash -c /);
    expect(test.results[0].reason).to.match(/^exec in pod main\/demo\/client-1 failed/);
    expect(String(r.stderr)).to.include('0 passed, 0 failed, 1 error');
    expect(tools.calls()).to.deep.include(['delete', 'cluster', '--name', `kconn-${runId}-main`]);
  });

  describe('run, end to end but for kind: pods are real containers behind the API exec', () => {
    const lab = new DockerLab();
    let client: StartedTestContainer;
    let server: StartedTestContainer;

    before(async function () {
      await requireDocker(this);
      await lab.start();
      [client, server] = await Promise.all([lab.run(lab.client('client')), lab.run(lab.server('server'))]);
    });
    after(async () => lab.close());

    it('passes and fails as the packets say, with JUnit and results.json to match, and exit codes to match', async () => {
      writeFileSync(
        join(project, 'suites', 's.yaml'),
        [
          'apiVersion: kconn.dev/v1alpha1', 'kind: Suite', 'metadata: {name: s}', 'spec:', '  tests:',
          '    - name: client reaches the echo service',
          '      from: {namespace: demo, selector: app=client}',
          '      to: {service: demo/echo, port: 8080, path: /hostname}',
          '      protocol: http',
          '      expect: {reachable: true, http: {status: 200}}',
          '    - name: a closed port wrongly expected reachable',
          '      from: {namespace: demo, selector: app=client}',
          '      to: {service: demo/echo, port: 9}',
          '      expect: reachable', '',
        ].join('\n'),
      );
      api.onRead = () => {
        api.put(readyNode);
        api.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system', generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } });
      };
      api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client-1', namespace: 'demo', labels: { app: 'client' } }, spec: { containers: [{ name: 'client' }] }, status: { phase: 'Running', podIP: lab.ip(client), conditions: [{ type: 'Ready', status: 'True' }] } });
      api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: 'demo' }, spec: { clusterIP: lab.ip(server) } });
      api.onExec = (pod, argv) => (pod.name === 'client-1' ? lab.exec(client).exec(argv, 30_000) : undefined);

      const r = await kconn(['run', '--topology', 'clusters/t.yaml']);
      expect(r.exitCode, String(r.stderr)).to.equal(1);
      const runId = runIdOf(String(r.stderr));
      expect(String(r.stderr)).to.include('1 passed, 1 failed, 0 errors');
      const results = JSON.parse(readFileSync(join(project, 'reports', runId, 'results.json'), 'utf8'));
      const [pass, fail] = results.suites[0].tests;
      expect(pass).to.deep.include({ status: 'pass' });
      expect(pass.results[0]).to.deep.include({ outcome: 'connected', httpStatus: 200, backend: server.getHostname() });
      expect(fail).to.deep.include({ status: 'fail', expected: 'reachable' });
      // Timings per phase, measured: the cluster's, the images', the suite's.
      const phases = (results.timings as { phase: string; cluster?: string; suite?: string; ms: number }[]).map((t) => `${t.phase}|${t.cluster ?? ''}|${t.suite ?? ''}`);
      // (this suite applies no manifests: no apply or wait phase)
      expect(phases).to.deep.equal(['cluster create|main|', 'ready|main|', 'images||', 'probe||s', 'diagnostics||s']);
      expect(results.timings.every((t: { ms: number }) => t.ms >= 0)).to.equal(true);
      expect(String(r.stderr)).to.match(/^timings: cluster main: cluster create \d+\.\ds, ready \d+\.\ds$/m);
      expect(String(r.stderr)).to.match(/^timings: suite s: probe \d+\.\ds, diagnostics \d+\.\ds$/m);
      const junit = readFileSync(join(project, 'reports', runId, 'junit.xml'), 'utf8');
      expect(junit).to.match(/<property name="timing\.probe" value="\d+"\/>/);
      expect(junit).to.match(/<property name="timing\.cluster create\.main" value="\d+"\/>/);
      expect(junit).to.match(/<failure message="expected reachable, observed refused/);
      expect(junit).to.include('kubectl --kubeconfig');
      // The failed test's diagnostics, collected through the API's exec (the same path as the probes) into reports/<run-id>/.
      const folder = join('reports', runId, 'diagnostics', 's', 'a-closed-port-wrongly-expected-reachable');
      expect(fail.diagnostics).to.deep.equal({ path: folder, sourceIp: lab.ip(client) });
      expect(pass.diagnostics).to.equal(undefined);
      expect(readFileSync(join(project, folder, 'source-ip-addr.txt'), 'utf8')).to.include(`inet ${lab.ip(client)}/`);
      expect(statSync(join(project, folder, 'capture.pcap')).size).to.be.greaterThan(24);
      expect(readFileSync(join(project, folder, 'capture.txt'), 'utf8')).to.include(`> ${lab.ip(server)}.9: Flags [S]`);
      expect(junit).to.include(`diagnostics: ${folder} (source IP ${lab.ip(client)})`);
      expect(junit).to.include(`(${lab.ip(client)}) -&gt; tcp ${lab.ip(server)}:9; reproduce: kubectl --kubeconfig`);
      expect(String(r.stdout), 'mocha reports through its own reporter').to.match(/1 passing[\s\S]*1 failing/);
      expect(tools.calls()).to.deep.include(['delete', 'cluster', '--name', `kconn-${runId}-main`]);
    });

    it('the external endpoint: started on its network, probed by address over HTTP and HTTPS verified by the run CA, CoreDNS forwarded then restored, removed after', async () => {
      writeFileSync(
        join(project, 'suites', 's.yaml'),
        [
          'apiVersion: kconn.dev/v1alpha1', 'kind: Suite', 'metadata: {name: s}', 'spec:', '  tests:',
          '    - name: the endpoint answers HTTP by address',
          '      from: {namespace: demo, selector: app=client}',
          '      to: {external: true, port: 80, path: /hostname}',
          '      protocol: http',
          '      expect: {reachable: true, http: {status: 200}}',
          '    - name: its HTTPS certificate verifies against the run CA',
          '      from: {namespace: demo, selector: app=client}',
          '      to: {external: true, port: 443, path: /hostname}',
          '      protocol: https',
          '      tls: {ca: run}',
          '      expect: {reachable: true, http: {status: 200}}', '',
        ].join('\n'),
      );
      const corefile = '.:53 {\n    errors\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n}\n';
      api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: corefile } });
      let forwarded = '';
      api.onRead = () => {
        api.put(readyNode);
        api.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system', generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } });
        const now = (api.find('ConfigMap', 'coredns', 'kube-system') as { data?: { Corefile?: string } } | undefined)?.data?.Corefile ?? '';
        if (now.includes('kconn.test')) forwarded = now;
      };
      api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client-1', namespace: 'demo', labels: { app: 'client' } }, spec: { containers: [{ name: 'client' }] }, status: { phase: 'Running', podIP: lab.ip(client), conditions: [{ type: 'Ready', status: 'True' }] } });
      api.onExec = (pod, argv) => (pod.name === 'client-1' ? lab.exec(client).exec(argv, 30_000) : undefined);

      // The endpoint joins the test's own network (the kind network of a real run), where the client container is.
      const r = await kconn(['run', '--topology', 'clusters/t.yaml'], { KCONN_EXTERNAL_NETWORK: lab.networkName });
      expect(r.exitCode, String(r.stderr)).to.equal(0);
      const runId = runIdOf(String(r.stderr));
      expect(String(r.stderr)).to.include('2 passed, 0 failed, 0 errors');
      const results = JSON.parse(readFileSync(join(project, 'reports', runId, 'results.json'), 'utf8'));
      const [http, https] = results.suites[0].tests;
      expect(http.results[0]).to.deep.include({ outcome: 'connected', httpStatus: 200 });
      expect(https.results[0].command, 'verified, never -k').to.include('--cacert').and.not.include('-k');
      expect(https.results[0]).to.deep.include({ outcome: 'connected', httpStatus: 200 });
      expect((results.timings as { phase: string }[]).map((t) => t.phase)).to.include('external endpoint');
      expect(forwarded, 'CoreDNS forwarded kconn.test during the run').to.match(/kconn\.test/);
      const after = (api.find('ConfigMap', 'coredns', 'kube-system') as unknown as { data: { Corefile: string } }).data.Corefile;
      expect(after, 'the Corefile is restored').to.equal(corefile);
      expect(String(r.stderr)).to.match(/external endpoint external\.kconn\.test at \d+\.\d+\.\d+\.\d+; CoreDNS of main forwards kconn\.test to it/);
      const left = await lab.docker.listContainers({ all: true, filters: { name: [`kconn-${runId}-external`] } });
      expect(left.map((c) => c.Names), 'the endpoint container is removed with the run').to.deep.equal([]);
    });
  });
});
