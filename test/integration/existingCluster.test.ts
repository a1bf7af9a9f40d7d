import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import type { StartedTestContainer } from 'testcontainers';
import { DockerLab, requireDocker } from '../support/dockerLab.js';
import { FakeKubeApiServer } from '../support/fakeKubeApiServer.js';
import { fakeToolEnv } from '../support/fakeTools.js';
import { REPO_ROOT } from '../support/paths.js';

type Obj = Parameters<FakeKubeApiServer['put']>[0];

/** A certificate authority and an API server certificate for 127.0.0.1 it signed (openssl, EC P-256, one day). */
async function makeCertificates(dir: string): Promise<{ ca: string; key: string; cert: string; otherCa: string }> {
  const ssl = (args: string[]) => execa('openssl', args, { cwd: dir });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string) =>
    ssl(['req', '-x509', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '1', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await Promise.all([ca('kconn-test-ca'), ca('another-ca')]);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  await ssl(['req', '-new', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=kconn-fake-apiserver']);
  await ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'kconn-test-ca.crt', '-CAkey', 'kconn-test-ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'server.ext']);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { ca: read('kconn-test-ca.crt'), key: read('server.key'), cert: read('server.crt'), otherCa: read('another-ca.crt') };
}

/** HTTPS in front of the plain-HTTP fake API server: TLS ends here, bytes (websocket upgrades too) go on unchanged. */
async function startTlsFront(target: string, key: string, cert: string): Promise<{ url: string; handshakes: () => number; close: () => Promise<void> }> {
  const port = Number(new URL(target).port);
  const sockets = new Set<Socket>();
  let handshakes = 0;
  const server: Server = createServer({ key, cert }, (tls) => {
    handshakes++;
    const upstream = connect(port, '127.0.0.1');
    sockets.add(tls).add(upstream);
    tls.pipe(upstream).pipe(tls);
    const end = (): void => {
      tls.destroy();
      upstream.destroy();
    };
    tls.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${address.port}`,
    handshakes: () => handshakes,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A user's kubeconfig: the fake cluster behind HTTPS with its CA (no insecure-skip-tls-verify), and a context elsewhere. */
function kubeconfig(server: string, ca: string): string {
  const data = Buffer.from(ca).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `  - {name: fake, cluster: {server: "${server}", certificate-authority-data: ${data}}}`,
    '  - {name: prod, cluster: {server: "https://127.0.0.1:9", certificate-authority-data: ' + data + '}}',
    'users: [{name: me, user: {token: fake-token}}]',
    'contexts:',
    '  - {name: fake, context: {cluster: fake, user: me}}',
    '  - {name: prod, context: {cluster: prod, user: me}}',
    'current-context: prod',
    '',
  ].join('\n');
}

/**
 * `kconn run --kubeconfig` as a process, against a cluster "the user already has": the fake API server behind HTTPS
 * with its own CA, whose pods exec into real containers. kconn must not call kind (or helm) at all, must leave the
 * cluster's own objects as they were, and must remove everything it applied.
 */
describe('run --kubeconfig: suites on a cluster the user already has (fake API server over HTTPS, real containers)', function () {
  this.timeout(120_000);
  let api: FakeKubeApiServer;
  let front: Awaited<ReturnType<typeof startTlsFront>>;
  let certs: Awaited<ReturnType<typeof makeCertificates>>;
  let project: string;
  let tools: ReturnType<typeof fakeToolEnv>;

  const TOPOLOGY = [
    'apiVersion: kconn.dev/v1alpha1', 'kind: Topology', 'metadata: {name: t}', 'spec:',
    // What kconn would build on kind; on an existing cluster the CNI is detected instead.
    '  cni: calico', '  clusters:', '    - {name: main, workers: 0}', '',
  ].join('\n');
  const PAIR = 'apiVersion: kconn.dev/v1alpha1\nkind: Topology\nmetadata: {name: pair}\nspec:\n  clusters: [{name: east}, {name: west}]\n';
  const MESHED = 'apiVersion: kconn.dev/v1alpha1\nkind: Topology\nmetadata: {name: meshed}\nspec:\n  cni: calico\n  clusters: [{name: east}, {name: west}]\n  multicluster: {provider: submariner}\n';
  const SUITE = [
    'apiVersion: kconn.dev/v1alpha1', 'kind: Suite', 'metadata: {name: s}', 'spec:',
    '  manifests:', '    - path: ../manifests/settings.yaml',
    '  tests:',
    '    - name: client reaches the echo service',
    '      from: {namespace: demo, selector: app=client}',
    '      to: {service: demo/echo, port: 8080, path: /hostname}',
    '      protocol: http',
    '      expect: {reachable: true, http: {status: 200}}', '',
  ].join('\n');
  const POLICY_SUITE = [
    'apiVersion: kconn.dev/v1alpha1', 'kind: Suite', 'metadata: {name: p}', 'spec:',
    '  requires: [networkPolicy]',
    '  tests:',
    '    - name: client is kept out of echo',
    '      from: {namespace: demo, selector: app=client}',
    '      to: {service: demo/echo, port: 8080}',
    '      expect: blocked', '',
  ].join('\n');
  // No namespace: the ConfigMap goes to the run's namespace, which kconn creates for it.
  const SETTINGS = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kconn-test-settings}\ndata: {greeting: hello}\n';

  before(async () => {
    certs = await makeCertificates(mkdtempSync(join(tmpdir(), 'kconn-ca-')));
  });

  beforeEach(async () => {
    api = new FakeKubeApiServer();
    front = await startTlsFront(await api.start(), certs.key, certs.cert);
    project = mkdtempSync(join(tmpdir(), 'kconn-project-'));
    for (const d of ['clusters', 'suites', 'manifests']) mkdirSync(join(project, d));
    writeFileSync(join(project, 'clusters', 't.yaml'), TOPOLOGY);
    writeFileSync(join(project, 'clusters', 'pair.yaml'), PAIR);
    writeFileSync(join(project, 'clusters', 'meshed.yaml'), MESHED);
    writeFileSync(join(project, 'suites', 's.yaml'), SUITE);
    writeFileSync(join(project, 'manifests', 'settings.yaml'), SETTINGS);
    writeFileSync(join(project, 'my-kubeconfig'), kubeconfig(front.url, certs.ca));
    // The recording fake kind and helm first on PATH: any call to them is logged.
    tools = fakeToolEnv('unused');
  });

  afterEach(async () => {
    await front.close();
    await api.stop();
  });

  const kconn = (args: string[], env: Record<string, string> = {}): ResultPromise =>
    execa(process.execPath, [join(REPO_ROOT, 'bin', 'kconn.js'), ...args], { cwd: project, reject: false, env: { ...tools.env, ...env, CI: 'true' } }) as unknown as ResultPromise;

  const runIdOf = (stderr: string): string => /run ([a-z0-9]{6}):/.exec(stderr)?.[1] ?? '';

  describe('refused before any cluster is contacted', () => {
    const cases: [string, string[], number, string][] = [
      ['--keep (kconn does not own the clusters)', ['--kubeconfig', 'my-kubeconfig', '--keep'], 2, "option '--kubeconfig <file>' cannot be used with option '--keep'"],
      ['--reuse', ['--kubeconfig', 'my-kubeconfig', '--reuse'], 2, "option '--kubeconfig <file>' cannot be used with option '--reuse'"],
      ['--context without --kubeconfig', ['--context', 'fake'], 2, '--context needs --kubeconfig'],
      ['two bare contexts', ['--kubeconfig', 'my-kubeconfig', '--context', 'fake', '--context', 'prod'], 2, 'at most one --context without "cluster="'],
      ['a context the kubeconfig lacks', ['--kubeconfig', 'my-kubeconfig', '--context', 'main=ghost'], 1, '--context main=ghost: my-kubeconfig has no context ghost (its contexts: fake, prod)'],
      ['a topology cluster with no context (never the current one)', ['--kubeconfig', 'my-kubeconfig'], 1, 'cluster main: my-kubeconfig has no context named main; pass --context main=CONTEXT'],
      ['a bare context for two clusters', ['--kubeconfig', 'my-kubeconfig', '--topology', 'clusters/pair.yaml', '--context', 'fake'], 1, 'topology pair has 2 clusters (east, west)'],
      ['a multicluster topology', ['--kubeconfig', 'my-kubeconfig', '--topology', 'clusters/meshed.yaml'], 1, 'it does not join them with submariner'],
      ['a kubeconfig that is not there', ['--kubeconfig', 'nowhere.yaml', '--context', 'fake'], 1, '--kubeconfig nowhere.yaml: cannot be read as a kubeconfig'],
      ['an unknown --cni', ['--kubeconfig', 'my-kubeconfig', '--context', 'fake', '--cni', 'weave'], 1, '--cni weave: Weave Net is archived upstream'],
    ];
    for (const [what, args, code, message] of cases) {
      it(`${what}: exit ${code}`, async () => {
        const r = await kconn(['run', '--topology', 'clusters/t.yaml', ...args]);
        expect(r.exitCode, String(r.stderr)).to.equal(code);
        expect(String(r.stderr)).to.include(message);
        expect(front.handshakes(), 'no connection to the cluster').to.equal(0);
        expect(api.requests).to.deep.equal([]);
        expect(tools.calls()).to.deep.equal([]);
      });
    }
  });

  it('a CA that did not sign the server certificate: the cluster cannot be used (exit 1), a report says why', async () => {
    writeFileSync(join(project, 'my-kubeconfig'), kubeconfig(front.url, certs.otherCa));
    const r = await kconn(['run', '--topology', 'clusters/t.yaml', '--kubeconfig', 'my-kubeconfig', '--context', 'main=fake']);
    expect(r.exitCode, String(r.stderr)).to.equal(1);
    expect(String(r.stderr)).to.match(/kconn run: the clusters cannot be used: cluster main \(context fake, https:\/\/127\.0\.0\.1:\d+\): .*(certificate|issuer)/);
    expect(api.requests, 'nothing got past TLS').to.deep.equal([]);
    const runId = runIdOf(String(r.stderr));
    const results = JSON.parse(readFileSync(join(project, 'reports', runId, 'results.json'), 'utf8'));
    expect(results.clusters).to.deep.equal([{ name: 'main', context: 'fake', cni: 'unknown', cniVersion: '' }]);
    expect(results.suites[0].tests[0]).to.deep.include({ name: 'cluster main comes up', status: 'fail' });
    expect(tools.calls()).to.deep.equal([]);
  });

  describe('with pods that are real containers behind the API exec', () => {
    const lab = new DockerLab();
    let client: StartedTestContainer;
    let server: StartedTestContainer;

    before(async function () {
      await requireDocker(this);
      await lab.start();
      [client, server] = await Promise.all([lab.run(lab.client('client')), lab.run(lab.server('server'))]);
    });
    after(async () => lab.close());

    /** The cluster as the user has it: kindnet, a node, CoreDNS, their own app, their own NetworkPolicy and config. */
    function userCluster(): void {
      const own: Obj[] = [
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
        {
          apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'kindnet', namespace: 'kube-system', generation: 1 },
          spec: { template: { spec: { containers: [{ name: 'kindnet-cni', image: 'docker.io/kindest/kindnetd:v20250512-df8de77b' }] } } },
          status: { observedGeneration: 1, desiredNumberScheduled: 1, numberReady: 1, numberAvailable: 1 },
        },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system', generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 1, availableReplicas: 1 } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client-1', namespace: 'demo', labels: { app: 'client' } }, spec: { containers: [{ name: 'client' }] }, status: { phase: 'Running', podIP: lab.ip(client), conditions: [{ type: 'Ready', status: 'True' }] } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: 'demo' }, spec: { clusterIP: lab.ip(server) } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kconn-test-settings', namespace: 'demo' }, data: { greeting: 'the user\'s own' } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-all', namespace: 'demo', labels: { team: 'me' } }, spec: { podSelector: {}, ingress: [{}] } },
      ];
      for (const o of own) api.put(o);
      // Pods kconn applies (the NetworkPolicy control's) start and get the address of a real container.
      api.onRead = (kind) => {
        if (kind !== 'Pod') return;
        for (const o of [...api.objects.values()]) {
          if (o.kind !== 'Pod' || o['status'] || !/^kconn-/.test(o.metadata.namespace ?? '')) continue;
          const ip = o.metadata.name === 'kconn-control-server' ? lab.ip(server) : lab.ip(client);
          api.put({ ...o, status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] } });
        }
      };
      api.onExec = (pod, argv) => (['client-1', 'kconn-control-client'].includes(pod.name) ? lab.exec(client).exec(argv, 30_000) : undefined);
    }

    it('runs the suites with no kind at all, reports the context and the detected CNI, leaves the cluster as it was', async () => {
      writeFileSync(join(project, 'suites', 'p.yaml'), POLICY_SUITE);
      // A suite of the external endpoint: skipped on a cluster of --kubeconfig (it cannot reach the kind network).
      writeFileSync(
        join(project, 'suites', 'e.yaml'),
        'apiVersion: kconn.dev/v1alpha1\nkind: Suite\nmetadata: {name: e}\nspec:\n  tests:\n    - {name: out, from: {namespace: demo, selector: app=client}, to: {external: true, port: 80}, expect: reachable}\n',
      );
      userCluster();
      const before = structuredClone([...api.objects.entries()]);

      const r = await kconn(['run', '--topology', 'clusters/t.yaml', '--kubeconfig', 'my-kubeconfig', '--context', 'main=fake']);
      const stderr = String(r.stderr);
      expect(r.exitCode, stderr).to.equal(0);
      const runId = runIdOf(stderr);
      expect(runId).to.match(/^[a-z0-9]{6}$/);
      expect(tools.calls(), 'neither kind nor helm was called').to.deep.equal([]);
      expect(front.handshakes(), 'every request went through TLS, verified against the CA').to.be.greaterThan(0);
      expect(api.requests.some((q) => q.method === 'EXEC'), 'exec, over TLS too').to.equal(true);
      expect(stderr).to.include('main: context fake: CNI kindnet v20250512-df8de77b (detected: kube-system/kindnet runs); 1 node(s)');
      expect(stderr).to.include('1 passed, 0 failed, 0 errors, 1 skipped, 1 not supported;');

      // The suite ran for real, and the policy suite was left to the control, which found no enforcement.
      const results = JSON.parse(readFileSync(join(project, 'reports', runId, 'results.json'), 'utf8'));
      expect(results).to.deep.include({ kindVersion: 'none', topology: 't' });
      expect(results.clusters).to.deep.equal([{ name: 'main', context: 'fake', cni: 'kindnet', cniVersion: 'v20250512-df8de77b' }]);
      const [p, s] = [results.suites.find((x: { name: string }) => x.name === 'p'), results.suites.find((x: { name: string }) => x.name === 's')];
      expect(s.tests[0]).to.deep.include({ status: 'pass' });
      expect(s.tests[0].results[0]).to.deep.include({ outcome: 'connected', httpStatus: 200, backend: server.getHostname() });
      expect(s.tests[0].results[0].reproduce).to.match(/^kubectl --kubeconfig \/\S+\/my-kubeconfig --context fake -n demo exec client-1 -c client -- /);
      // Not enforcing policy is "not supported"; lacking the external endpoint is a plain skip.
      expect(p.tests[0]).to.deep.include({ status: 'skip', message: 'cluster main: this cluster does not enforce NetworkPolicy (control probe still connected under deny-all)', skipKind: 'unsupported' });
      const e = results.suites.find((x: { name: string }) => x.name === 'e');
      expect(e.tests[0]).to.deep.include({ status: 'skip', message: "needs the run's external endpoint, which kconn runs on the kind Docker network: a cluster of --kubeconfig cannot reach it" });
      expect(e.tests[0]).not.to.have.property('skipKind');
      expect(results.summary).to.deep.include({ skipped: 2, unsupported: 1 });
      const phases = (results.timings as { phase: string }[]).map((t) => t.phase);
      expect(phases, 'no image preloading').to.not.include('images');
      expect(phases).to.include('inspect');
      const junit = readFileSync(join(project, 'reports', runId, 'junit.xml'), 'utf8');
      expect(junit).to.include('<property name="context.main" value="fake"/>');
      expect(junit).to.include('<property name="cni.main" value="kindnet v20250512-df8de77b"/>');
      expect(junit).to.include('<property name="kindVersion" value="none"/>');
      expect(junit).to.include('<skipped message="not supported: cluster main: this cluster does not enforce NetworkPolicy (control probe still connected under deny-all)"/>');

      // What kconn applied: the run namespace, the suite's ConfigMap, the control's pods and deny-all policy.
      const applied = new Set(api.requests.filter((q) => q.method === 'PATCH').map((q) => q.path));
      const ns = `kconn-${runId}`;
      expect([...applied].sort()).to.deep.equal([
        `/api/v1/namespaces/${ns}`,
        `/api/v1/namespaces/${ns}/configmaps/kconn-test-settings`,
        `/api/v1/namespaces/${ns}/pods/kconn-control-client`,
        `/api/v1/namespaces/${ns}/pods/kconn-control-server`,
        `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/kconn-control-deny-all`,
      ]);
      // ... was deleted, and nothing else was: the cluster holds exactly what it held before.
      const deleted = new Set(api.requests.filter((q) => q.method === 'DELETE').map((q) => q.path));
      expect([...deleted].filter((path) => !applied.has(path)), 'deleted only what it applied').to.deep.equal([]);
      for (const path of applied) expect(deleted.has(path), `${path} deleted`).to.equal(true);
      expect([...api.objects.entries()]).to.deep.equal(before);
    });

    it('Ctrl-C: exit 130, and what the run applied is removed; the cluster stays', async () => {
      writeFileSync(join(project, 'suites', 'p.yaml'), POLICY_SUITE);
      userCluster();
      const before = structuredClone([...api.objects.entries()]);
      const child = kconn(['run', '--topology', 'clusters/t.yaml', '--kubeconfig', 'my-kubeconfig', '--context', 'main=fake', '--suite', 'p']);
      // Interrupted while the control waits for deny-all to take effect (it never does here).
      const deadline = Date.now() + 60_000;
      while (![...api.objects.values()].some((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'kconn-control-deny-all') && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 100));
      }
      expect(api.objects.size, 'the run applied its objects').to.be.greaterThan(before.length);
      child.kill('SIGINT');
      const r = await child;
      expect(r.exitCode, String(r.stderr)).to.equal(130);
      expect(String(r.stderr)).to.include('SIGINT: stopping and removing what this run created');
      expect([...api.objects.entries()]).to.deep.equal(before);
      expect(tools.calls()).to.deep.equal([]);
    });
  });
});
