import { readFile as fsReadFile, statfs as fsStatfs } from 'node:fs/promises';
import { execaHostExec, type HostExec } from './hostExec.js';
import { isExecutableFile, lookPath as defaultLookPath, type LookPath } from './lookPath.js';
import { compareVersions } from '../model/semver.js';
import { checkDownloadable, type FetchLike } from './downloadVerified.js';
import { acceptedVersions, downloadFixes } from './downloadFixes.js';
import { findTool } from './findTool.js';
import { cachedToolPath } from './toolCache.js';
import { hostPlatform, TOOLS, type ToolName } from './toolSpec.js';
import { applyToolMirror } from './toolMirror.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of `kconn doctor`: what was checked, how it stands, and what to do about it. */
export interface DoctorCheck {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly fix?: string;
}

export interface DoctorOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly exec?: HostExec;
  readonly lookPath?: LookPath;
  /** Reads /proc files; injectable so the checks run without the machine. */
  readonly readFile?: (path: string) => Promise<string>;
  /** Free space of the filesystem holding a path. */
  readonly statfs?: (path: string) => Promise<{ readonly bavail: number; readonly bsize: number }>;
  readonly platform?: NodeJS.Platform;
  /** process.versions.node by default. */
  readonly nodeVersion?: string;
  /** kconn's cache: a tool missing from PATH but already downloaded there is fine. */
  readonly cacheDir?: string;
  /** Used to check that a missing tool can be downloaded; default the global fetch. */
  readonly fetch?: FetchLike;
  /** How long that check waits for an answer; default DOWNLOAD_CHECK_TIMEOUT_MS. */
  readonly downloadCheckTimeoutMs?: number;
}

export const MIN_NODE_VERSION = '22.19.0';
/** kind known issues, "Pod errors due to too many open files": https://kind.sigs.k8s.io/docs/user/known-issues/#pod-errors-due-to-too-many-open-files */
export const INOTIFY_MINIMUMS = { max_user_watches: 524_288, max_user_instances: 512 } as const;
export const LOW_DISK_BYTES = 10 * 1024 ** 3;
const DOCKER_TIMEOUT_MS = 10_000;
export const DOWNLOAD_CHECK_TIMEOUT_MS = 5_000;

function nodeCheck(version: string): DoctorCheck {
  const v = version.replace(/^v/, '');
  let tooOld: boolean;
  try {
    tooOld = compareVersions(v, MIN_NODE_VERSION) < 0;
  } catch {
    return { name: 'Node.js', status: 'fail', detail: `unrecognised version ${JSON.stringify(version)}` };
  }
  if (!tooOld) return { name: 'Node.js', status: 'ok', detail: `v${v}` };
  return {
    name: 'Node.js',
    status: 'fail',
    detail: `v${v} is older than ${MIN_NODE_VERSION.replace(/\.0$/, '')} (@kubernetes/client-node 2.x and undici need it)`,
    fix: 'npm install --prefix .tools node@24, then put .tools/node_modules/.bin first on PATH',
  };
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  );
}

interface DockerInfo {
  readonly check: DoctorCheck;
  readonly rootDir?: string;
}

async function dockerCheck(exec: HostExec, env: NodeJS.ProcessEnv): Promise<DockerInfo> {
  const name = 'Docker';
  const r = await exec('docker', ['info', '--format', '{{.ServerVersion}}\n{{.DockerRootDir}}'], { timeoutMs: DOCKER_TIMEOUT_MS, env });
  if (r.notFound) return { check: { name, status: 'fail', detail: 'the docker CLI is not on PATH', fix: 'install Docker Engine (on Debian, as root: bash images/ensure-docker.sh)' } };
  if (r.timedOut) return { check: { name, status: 'fail', detail: `\`docker info\` did not answer within ${DOCKER_TIMEOUT_MS / 1000} s`, fix: 'check that the Docker daemon is running and responsive: docker info' } };
  const [version, rootDir] = r.stdout.split('\n').map((l) => l.trim());
  if (!r.ok || !version) {
    const why = firstLine(r.stderr) || firstLine(r.stdout) || r.message || 'docker info failed';
    const fix = /permission denied/i.test(why)
      ? 'add your user to the docker group (sudo usermod -aG docker "$USER", then log in again), or run as root'
      : /cannot connect|is the docker daemon running|connection refused|no such file/i.test(why)
        ? 'start the Docker daemon (sudo systemctl start docker), or point DOCKER_HOST / docker context at a running one'
        : 'make `docker info` work for this user';
    return { check: { name, status: 'fail', detail: `daemon not reachable: ${why}`, fix } };
  }
  return { check: { name, status: 'ok', detail: `Docker Engine ${version} reachable` }, ...(rootDir ? { rootDir } : {}) };
}

/** Free space where Docker keeps images and node containers; only when that directory is on this machine. */
async function diskCheck(rootDir: string | undefined, env: NodeJS.ProcessEnv, platform: NodeJS.Platform, statfs: NonNullable<DoctorOptions['statfs']>): Promise<DoctorCheck | undefined> {
  const host = env['DOCKER_HOST'];
  if (!rootDir || platform !== 'linux' || (host && !host.startsWith('unix://'))) return undefined;
  let free: number;
  try {
    const s = await statfs(rootDir);
    free = s.bavail * s.bsize;
  } catch {
    return undefined; // e.g. a rootless or remote engine whose root is not visible here
  }
  const gib = (free / 1024 ** 3).toFixed(1);
  if (free >= LOW_DISK_BYTES) return { name: 'Docker disk', status: 'ok', detail: `${gib} GiB free in ${rootDir}` };
  return {
    name: 'Docker disk',
    status: 'warn',
    detail: `${gib} GiB free in ${rootDir}: node and CNI images need several GiB per kind node`,
    fix: 'docker system prune (removes stopped containers, unused networks and dangling images), or free space on that filesystem',
  };
}

async function inotifyChecks(platform: NodeJS.Platform, readFile: NonNullable<DoctorOptions['readFile']>): Promise<DoctorCheck[]> {
  if (platform !== 'linux') return [{ name: 'inotify limits', status: 'ok', detail: `not checked on ${platform}: Docker runs in a VM with its own limits` }];
  return Promise.all(
    (Object.keys(INOTIFY_MINIMUMS) as (keyof typeof INOTIFY_MINIMUMS)[]).map(async (key): Promise<DoctorCheck> => {
      const name = `inotify ${key}`;
      const min = INOTIFY_MINIMUMS[key];
      const fix = `sudo sysctl fs.inotify.${key}=${min} (to keep it: add "fs.inotify.${key} = ${min}" to /etc/sysctl.conf)`;
      const path = `/proc/sys/fs/inotify/${key}`;
      let value: number;
      try {
        value = Number.parseInt((await readFile(path)).trim(), 10);
      } catch (e) {
        return { name, status: 'warn', detail: `could not read ${path}: ${(e as Error).message}` };
      }
      if (!Number.isFinite(value)) return { name, status: 'warn', detail: `${path} holds no number` };
      if (value >= min) return { name, status: 'ok', detail: `${value} (>= ${min})` };
      return { name, status: 'warn', detail: `${value} is below ${min}: pods may fail with "too many open files" (kind known issue)`, fix };
    }),
  );
}

/**
 * kind and helm are required: usable on PATH, already in kconn's cache, or downloadable now (the exact pinned URL,
 * after KCONN_TOOL_MIRROR, answers a one-byte GET). Otherwise the check fails, with the ways to fix it.
 */
async function toolCheck(name: ToolName, options: DoctorOptions, env: NodeJS.ProcessEnv, exec: HostExec, lookPath: LookPath, platform: NodeJS.Platform): Promise<DoctorCheck> {
  const spec = TOOLS[name];
  const found = await findTool(name, { env, exec, lookPath });
  if (found.status === 'ok') return { name, status: 'ok', detail: found.detail };
  const cached = options.cacheDir ? cachedToolPath(name, options.cacheDir) : undefined;
  if (cached && (await isExecutableFile(cached))) return { name, status: 'ok', detail: `${found.detail}; kconn uses its cached ${spec.version} at ${cached}` };
  let reach: Awaited<ReturnType<typeof checkDownloadable>>;
  let url: string | undefined;
  try {
    url = applyToolMirror(spec.url(hostPlatform(platform)), env);
    reach = await checkDownloadable(url, { ...(options.fetch ? { fetch: options.fetch } : {}), timeoutMs: options.downloadCheckTimeoutMs ?? DOWNLOAD_CHECK_TIMEOUT_MS });
  } catch (e) {
    reach = { ok: false, reason: (e as Error).message };
  }
  if (reach.ok) {
    return {
      name,
      status: 'warn',
      detail: `${found.detail}: kconn will download ${spec.version} (SHA-256 verified) on first use`,
      fix: `nothing: ${url} answers; or install ${name} ${acceptedVersions(spec)} on PATH to skip the download: ${spec.installDocs}`,
    };
  }
  return {
    name,
    status: 'fail',
    detail: `${found.detail}, and kconn cannot download ${spec.version}: ${reach.reason}`,
    fix: downloadFixes(spec, env).join('; or '),
  };
}

async function kubectlCheck(env: NodeJS.ProcessEnv, lookPath: LookPath): Promise<DoctorCheck> {
  const path = await lookPath('kubectl', env);
  return path
    ? { name: 'kubectl', status: 'ok', detail: `${path} (optional: kconn talks to the API itself)` }
    : { name: 'kubectl', status: 'ok', detail: 'not on PATH (optional: kconn does not need it; only the reproduce commands it prints use it)' };
}

/** Checks the machine can run kconn's clusters. Never throws for what it finds: every finding is a check. */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const env = options.env ?? process.env;
  const exec = options.exec ?? execaHostExec;
  const lookPath = options.lookPath ?? defaultLookPath;
  const platform = options.platform ?? process.platform;
  const readFile = options.readFile ?? ((p: string) => fsReadFile(p, 'utf8'));
  const statfs = options.statfs ?? ((p: string) => fsStatfs(p));

  const [docker, inotify, kind, helm, kubectl] = await Promise.all([
    dockerCheck(exec, env),
    inotifyChecks(platform, readFile),
    toolCheck('kind', options, env, exec, lookPath, platform),
    toolCheck('helm', options, env, exec, lookPath, platform),
    kubectlCheck(env, lookPath),
  ]);
  const disk = await diskCheck(docker.rootDir, env, platform, statfs);
  return [nodeCheck(options.nodeVersion ?? process.versions.node), docker.check, ...(disk ? [disk] : []), ...inotify, kind, helm, kubectl];
}

/** Aligned lines: status, name, detail; a fix goes on its own line under the detail. */
export function formatDoctor(checks: readonly DoctorCheck[]): string[] {
  const nameWidth = Math.max(0, ...checks.map((c) => c.name.length));
  const indent = ' '.repeat(4 + 2 + nameWidth + 2);
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${c.status.padEnd(4)}  ${c.name.padEnd(nameWidth)}  ${c.detail}`);
    if (c.fix) lines.push(`${indent}fix: ${c.fix}`);
  }
  return lines;
}

/** 1 when any check failed, else 0 (warnings do not fail doctor). */
export function doctorExitCode(checks: readonly DoctorCheck[]): number {
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}
