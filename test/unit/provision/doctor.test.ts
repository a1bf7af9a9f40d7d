import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { doctorExitCode, formatDoctor, runDoctor, type DoctorCheck, type DoctorOptions } from '../../../harness/provision/doctor.js';
import type { HostExec, HostExecResult } from '../../../harness/provision/hostExec.js';
import { acceptedVersions } from '../../../harness/provision/downloadFixes.js';
import { cachedToolPath } from '../../../harness/provision/toolCache.js';
import { hostPlatform, TOOLS } from '../../../harness/provision/toolSpec.js';

const GiB = 1024 ** 3;
const ok = (stdout: string): HostExecResult => ({ ok: true, exitCode: 0, stdout, stderr: '' });

interface Machine {
  docker?: HostExecResult;
  onPath?: Record<string, string>;
  versions?: Record<string, HostExecResult>;
  proc?: Record<string, string>;
  freeBytes?: number;
}

/** A machine described as data: which commands answer what, which files /proc holds, how much disk is free. */
function machine(m: Machine, extra: Partial<DoctorOptions> = {}): DoctorOptions & { calls: string[][]; fetched: string[] } {
  const calls: string[][] = [];
  const fetched: string[] = [];
  const exec: HostExec = async (file, args) => {
    calls.push([file, ...args]);
    if (file === 'docker') return m.docker ?? ok('29.1.3\n/var/lib/docker');
    const r = m.versions?.[file];
    if (r) return r;
    return { ok: false, stdout: '', stderr: '', notFound: true, message: `spawn ${file} ENOENT` };
  };
  const onPath = m.onPath ?? { kind: '/usr/local/bin/kind', helm: '/usr/local/bin/helm', kubectl: '/usr/local/bin/kubectl' };
  const proc = m.proc ?? { '/proc/sys/fs/inotify/max_user_watches': '524288\n', '/proc/sys/fs/inotify/max_user_instances': '512\n' };
  return {
    calls,
    fetched,
    // Every download answers by default (a 206 for the one byte asked); tests replace it to cut the machine off.
    fetch: async (input, init) => {
      fetched.push(`${init?.method ?? 'GET'} ${String(input)} ${JSON.stringify(init?.headers ?? {})}`);
      return new Response('x', { status: 206 });
    },
    env: { PATH: '/usr/local/bin:/usr/bin' },
    exec,
    lookPath: async (name) => onPath[name],
    readFile: async (path) => {
      const v = proc[path];
      if (v === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return v;
    },
    statfs: async () => ({ bavail: (m.freeBytes ?? 80 * GiB) / 4096, bsize: 4096 }),
    platform: 'linux',
    nodeVersion: '24.21.0',
    ...extra,
  };
}

const healthyVersions = {
  '/usr/local/bin/kind': ok('kind v0.33.0 go1.25.4 linux/amd64\n'),
  '/usr/local/bin/helm': ok('v3.22.0'),
};

function byName(checks: readonly DoctorCheck[]): Record<string, DoctorCheck> {
  return Object.fromEntries(checks.map((c) => [c.name, c]));
}

describe('kconn doctor', () => {
  it('a ready machine: every check ok, in a stable order, exit 0', async () => {
    const opts = machine({ versions: healthyVersions });
    const checks = await runDoctor(opts);
    expect(checks).to.deep.equal([
      { name: 'Node.js', status: 'ok', detail: 'v24.21.0' },
      { name: 'Docker', status: 'ok', detail: 'Docker Engine 29.1.3 reachable' },
      { name: 'Docker disk', status: 'ok', detail: '80.0 GiB free in /var/lib/docker' },
      { name: 'inotify max_user_watches', status: 'ok', detail: '524288 (>= 524288)' },
      { name: 'inotify max_user_instances', status: 'ok', detail: '512 (>= 512)' },
      { name: 'kind', status: 'ok', detail: 'v0.33.0 at /usr/local/bin/kind' },
      { name: 'helm', status: 'ok', detail: 'v3.22.0 at /usr/local/bin/helm' },
      { name: 'kubectl', status: 'ok', detail: '/usr/local/bin/kubectl (optional: kconn talks to the API itself)' },
    ]);
    expect(doctorExitCode(checks)).to.equal(0);
    expect(opts.fetched, 'nothing to download: nothing fetched').to.deep.equal([]);
    expect(opts.calls).to.deep.include.members([
      ['docker', 'info', '--format', '{{.ServerVersion}}\n{{.DockerRootDir}}'],
      ['/usr/local/bin/kind', 'version'],
      ['/usr/local/bin/helm', 'version', '--template', '{{.Version}}'],
    ]);
  });

  it('warns, with the fix, about low inotify limits, a too-old kind, a missing helm and little disk; still exit 0', async () => {
    const checks = await runDoctor(
      machine({
        onPath: { kind: '/usr/bin/kind' },
        versions: { '/usr/bin/kind': ok('kind v0.20.0 go1.20.4 linux/amd64') },
        proc: { '/proc/sys/fs/inotify/max_user_watches': '8192\n', '/proc/sys/fs/inotify/max_user_instances': '128\n' },
        freeBytes: 3.5 * GiB,
      }),
    );
    const c = byName(checks);
    expect(c['inotify max_user_watches']).to.deep.equal({
      name: 'inotify max_user_watches',
      status: 'warn',
      detail: '8192 is below 524288: pods may fail with "too many open files" (kind known issue)',
      fix: 'sudo sysctl fs.inotify.max_user_watches=524288 (to keep it: add "fs.inotify.max_user_watches = 524288" to /etc/sysctl.conf)',
    });
    expect(c['inotify max_user_instances']!.status).to.equal('warn');
    expect(c['inotify max_user_instances']!.fix).to.match(/^sudo sysctl fs\.inotify\.max_user_instances=512 /);
    expect(c['kind']).to.deep.equal({
      name: 'kind',
      status: 'warn',
      detail: `v0.20.0 at /usr/bin/kind is older than the minimum ${TOOLS.kind.minimum}: kconn will download ${TOOLS.kind.version} (SHA-256 verified) on first use`,
      fix: `nothing: ${TOOLS.kind.url(hostPlatform('linux'))} answers; or install kind ${acceptedVersions(TOOLS.kind)} on PATH to skip the download: https://kind.sigs.k8s.io/docs/user/quick-start/#installation`,
    });
    expect(c['helm']!.status).to.equal('warn');
    expect(c['helm']!.detail).to.equal(`not found on PATH: kconn will download ${TOOLS.helm.version} (SHA-256 verified) on first use`);
    expect(c['helm']!.fix).to.include(`https://get.helm.sh/helm-${TOOLS.helm.version}-linux-`).and.include('helm >= v3.14.0 and < v4.0.0');
    expect(c['kubectl']).to.deep.equal({ name: 'kubectl', status: 'ok', detail: 'not on PATH (optional: kconn does not need it; only the reproduce commands it prints use it)' });
    expect(c['Docker disk']!.status).to.equal('warn');
    expect(c['Docker disk']!.detail).to.match(/^3\.5 GiB free in \/var\/lib\/docker: /);
    expect(c['Docker disk']!.fix).to.include('docker system prune');
    expect(doctorExitCode(checks)).to.equal(0);
  });

  it('a helm that does not run, or prints nonsense, is a warning, not a crash', async () => {
    const c = byName(
      await runDoctor(
        machine({
          versions: {
            '/usr/local/bin/kind': ok('kind version 0.33.0'),
            '/usr/local/bin/helm': { ok: false, exitCode: 126, stdout: '', stderr: '', message: 'Command failed with exit code 126: /usr/local/bin/helm version --template {{.Version}}' },
          },
        }),
      ),
    );
    expect(c['kind']!.status).to.equal('warn');
    expect(c['kind']!.detail).to.include('printed no version kconn recognises: "kind version 0.33.0"');
    expect(c['helm']!.status).to.equal('warn');
    expect(c['helm']!.detail).to.include('failed: Command failed with exit code 126');
  });

  it('fails when Docker is missing, unreachable, denied or hangs; exit 1', async () => {
    const cases: [HostExecResult, RegExp, RegExp][] = [
      [{ ok: false, stdout: '', stderr: '', notFound: true, message: 'spawn docker ENOENT' }, /^the docker CLI is not on PATH$/, /images\/ensure-docker\.sh/],
      [
        { ok: false, exitCode: 1, stdout: '', stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n', message: 'Command failed with exit code 1' },
        /^daemon not reachable: Cannot connect to the Docker daemon/,
        /systemctl start docker/,
      ],
      [
        { ok: false, exitCode: 1, stdout: '', stderr: 'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock', message: 'Command failed with exit code 1' },
        /permission denied/,
        /usermod -aG docker/,
      ],
      [{ ok: false, stdout: '', stderr: '', timedOut: true, message: 'Command timed out after 10000 milliseconds' }, /did not answer within 10 s/, /docker info/],
    ];
    for (const [docker, detail, fix] of cases) {
      const checks = await runDoctor(machine({ docker, versions: healthyVersions }));
      const d = byName(checks)['Docker']!;
      expect(d.status).to.equal('fail');
      expect(d.detail).to.match(detail);
      expect(d.fix).to.match(fix);
      expect(byName(checks)['Docker disk'], 'no disk check without Docker').to.equal(undefined);
      expect(doctorExitCode(checks)).to.equal(1);
    }
  });

  it('fails on a Node.js older than 22.19', async () => {
    const checks = await runDoctor(machine({ versions: healthyVersions }, { nodeVersion: '22.18.0' }));
    expect(checks[0]).to.deep.equal({
      name: 'Node.js',
      status: 'fail',
      detail: 'v22.18.0 is older than 22.19 (@kubernetes/client-node 2.x and undici need it)',
      fix: 'npm install --prefix .tools node@24, then put .tools/node_modules/.bin first on PATH',
    });
    expect(doctorExitCode(checks)).to.equal(1);
    expect((await runDoctor(machine({ versions: healthyVersions }, { nodeVersion: '22.19.0' })))[0]!.status).to.equal('ok');
  });

  it('unreadable /proc is a warning; on darwin inotify is not checked and the disk is not measured', async () => {
    const linux = byName(await runDoctor(machine({ versions: healthyVersions, proc: {} })));
    expect(linux['inotify max_user_watches']!.status).to.equal('warn');
    expect(linux['inotify max_user_watches']!.detail).to.match(/^could not read \/proc\/sys\/fs\/inotify\/max_user_watches: ENOENT/);

    const darwin = await runDoctor(machine({ versions: healthyVersions }, { platform: 'darwin' }));
    expect(darwin.map((c) => c.name)).to.deep.equal(['Node.js', 'Docker', 'inotify limits', 'kind', 'helm', 'kubectl']);
    expect(byName(darwin)['inotify limits']).to.deep.equal({ name: 'inotify limits', status: 'ok', detail: 'not checked on darwin: Docker runs in a VM with its own limits' });
  });

  it('does not measure the disk of a remote Docker engine, or when statfs fails', async () => {
    const remote = await runDoctor(machine({ versions: healthyVersions }, { env: { PATH: '/usr/bin', DOCKER_HOST: 'tcp://10.0.0.5:2376' } }));
    expect(byName(remote)['Docker disk']).to.equal(undefined);
    const denied = await runDoctor(machine({ versions: healthyVersions }, { statfs: () => Promise.reject(new Error('EACCES')) }));
    expect(byName(denied)['Docker disk']).to.equal(undefined);
  });

  it('a tool missing from PATH but already in kconn’s cache is ok', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'kconn-doctor-'));
    try {
      const kind = cachedToolPath('kind', cacheDir);
      mkdirSync(join(kind, '..'), { recursive: true });
      writeFileSync(kind, '#!/bin/sh\n');
      chmodSync(kind, 0o755);
      const c = byName(await runDoctor(machine({ onPath: {}, versions: {} }, { cacheDir })));
      expect(c['kind']).to.deep.equal({ name: 'kind', status: 'ok', detail: `not found on PATH; kconn uses its cached ${TOOLS.kind.version} at ${kind}` });
      expect(c['helm']!.status).to.equal('warn');
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('fails (exit 1) when a required tool is neither on PATH nor downloadable, with the fixes', async () => {
    const offline: DoctorOptions['fetch'] = async () => {
      throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND github.com') });
    };
    const checks = await runDoctor(machine({ onPath: { helm: '/usr/local/bin/helm' }, versions: healthyVersions }, { fetch: offline }));
    const kind = byName(checks)['kind']!;
    const url = TOOLS.kind.url(hostPlatform('linux'));
    expect(kind).to.deep.equal({
      name: 'kind',
      status: 'fail',
      detail: `not found on PATH, and kconn cannot download ${TOOLS.kind.version}: GET ${url} failed: fetch failed (getaddrinfo ENOTFOUND github.com)`,
      fix:
        `install kind ${acceptedVersions(TOOLS.kind)} on PATH (https://kind.sigs.k8s.io/docs/user/quick-start/#installation); ` +
        'or set KCONN_TOOL_MIRROR to a mirror of https://github.com (same paths); ' +
        "or behind a proxy: export HTTPS_PROXY=<proxy URL> NODE_USE_ENV_PROXY=1 (Node's fetch uses a proxy only with the latter)",
    });
    expect(byName(checks)['helm']!.status, 'helm on PATH needs no download').to.equal('ok');
    expect(doctorExitCode(checks)).to.equal(1);
    expect(formatDoctor(checks).join('\n')).to.match(/^fail {2}kind +not found on PATH, and kconn cannot download/m);
  });

  it('checks the exact pinned URL behind KCONN_TOOL_MIRROR, for the first byte only; an HTTP error or no answer fails', async () => {
    const env = { PATH: '/usr/bin', KCONN_TOOL_MIRROR: 'https://mirror.example/gh' };
    const reachable = machine({ onPath: {} }, { env });
    const ok = byName(await runDoctor(reachable));
    const p = hostPlatform('linux');
    expect(reachable.fetched.sort()).to.deep.equal([
      `GET https://mirror.example/gh/helm-${TOOLS.helm.version}-linux-${p.arch}.tar.gz {"range":"bytes=0-0"}`,
      `GET https://mirror.example/gh/kubernetes-sigs/kind/releases/download/${TOOLS.kind.version}/kind-linux-${p.arch} {"range":"bytes=0-0"}`,
    ]);
    expect([ok['kind']!.status, ok['helm']!.status]).to.deep.equal(['warn', 'warn']);

    const missing = byName(await runDoctor(machine({ onPath: {} }, { env, fetch: async () => new Response('no', { status: 404, statusText: 'Not Found' }) })));
    expect(missing['kind']!.status).to.equal('fail');
    expect(missing['kind']!.detail).to.match(/cannot download v\S+: GET https:\/\/mirror\.example\/gh\/kubernetes-sigs\/kind\/\S+: HTTP 404 Not Found$/);
    expect(missing['kind']!.fix).to.include('check that KCONN_TOOL_MIRROR=https://mirror.example/gh serves the file');

    const hanging: DoctorOptions['fetch'] = (_input, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    const silent = byName(await runDoctor(machine({ onPath: {} }, { env, fetch: hanging, downloadCheckTimeoutMs: 50 })));
    expect(silent['helm']!.status).to.equal('fail');
    expect(silent['helm']!.detail).to.match(/: no answer within 0\.05 s$/);

    const badMirror = byName(await runDoctor(machine({ onPath: {} }, { env: { PATH: '/usr/bin', KCONN_TOOL_MIRROR: 'not a url' } })));
    expect(badMirror['kind']!.status).to.equal('fail');
    expect(badMirror['kind']!.detail).to.include('KCONN_TOOL_MIRROR is not a URL: "not a url"');
  });

  it('against a real local mirror: reachable is a warning (exit 0); once it is gone, a failure (exit 1)', async () => {
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(`${req.method} ${req.url} ${req.headers.range}`);
      res.writeHead(206, { 'content-range': 'bytes 0-0/100' }).end('x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const opts = (): DoctorOptions => {
      // The real fetch, to a real socket.
      return { ...machine({ onPath: {} }, { env: { PATH: '/usr/bin', KCONN_TOOL_MIRROR: mirror } }), fetch: undefined };
    };
    try {
      const up = await runDoctor(opts());
      expect(byName(up)['kind']!.status).to.equal('warn');
      expect(doctorExitCode(up)).to.equal(0);
      expect(asked).to.include(`GET /kubernetes-sigs/kind/releases/download/${TOOLS.kind.version}/kind-linux-${hostPlatform('linux').arch} bytes=0-0`);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    const down = await runDoctor(opts());
    expect(byName(down)['kind']!.status).to.equal('fail');
    expect(byName(down)['kind']!.detail).to.include(`GET ${mirror}/kubernetes-sigs/kind/`).and.include('fetch failed');
    expect(doctorExitCode(down)).to.equal(1);
  });

  it('formats aligned lines, the fix under the detail', () => {
    const lines = formatDoctor([
      { name: 'Node.js', status: 'ok', detail: 'v24.21.0' },
      { name: 'Docker', status: 'fail', detail: 'the docker CLI is not on PATH', fix: 'install Docker Engine' },
      { name: 'inotify max_user_watches', status: 'warn', detail: '8192 is below 524288' },
    ]);
    expect(lines).to.deep.equal([
      'ok    Node.js                   v24.21.0',
      'fail  Docker                    the docker CLI is not on PATH',
      '                                fix: install Docker Engine',
      'warn  inotify max_user_watches  8192 is below 524288',
    ]);
    expect(formatDoctor([])).to.deep.equal([]);
  });
});
