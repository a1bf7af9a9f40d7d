import { lstat, mkdir, mkdtemp, rename, chmod } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SUBMARINER_VERSION } from '../mesh/submariner.js';
import { KIND_VERSION } from '../plan/nodeImages.js';
import { downloadVerified, type FetchLike, type Verification } from './downloadVerified.js';
import { execaHostExec, type HostExec } from './hostExec.js';
import { OutsideRootError, removeEmptyDirInside, removeInside } from './insideRoot.js';
import { isExecutableFile, lookPath as defaultLookPath, type LookPath } from './lookPath.js';
import { compareVersions, parseSemVer } from '../model/semver.js';
import { applyToolMirror } from './toolMirror.js';

export type ToolName = 'kind' | 'helm' | 'subctl';

/** Go-style os/arch of a download: {os: 'linux', arch: 'amd64'}. */
export interface Platform {
  readonly os: string;
  readonly arch: string;
}

/** A tool kconn drives: which version it downloads, which versions it accepts on PATH, and how to fetch and verify it. */
export interface ToolSpec {
  readonly name: ToolName;
  /** The version kconn downloads when PATH has no usable one. */
  readonly version: string;
  /** Oldest version accepted on PATH. */
  readonly minimum: string;
  /** First version no longer accepted on PATH (a new major kconn's commands were not written for). */
  readonly below?: string;
  /** argv that prints the version (no shell: templates are plain arguments). */
  readonly versionArgs: readonly string[];
  /** The version in that output, e.g. "v0.33.0"; undefined when the output is not recognised. */
  readonly parseVersion: (stdout: string) => string | undefined;
  readonly url: (p: Platform) => string;
  /** The checksum file published next to an asset URL (used when no digest is pinned for the platform). */
  readonly checksumUrl: (assetUrl: string) => string;
  /** For an archive: the binary's path inside it. Absent: the asset is the binary itself. */
  readonly archiveMember?: (p: Platform) => string;
  /** tar's compression flag for the archive: z (gzip, the default) or J (xz). */
  readonly archiveCompression?: 'z' | 'J';
  /** SHA-256 of the asset (the archive for helm), by `${os}-${arch}`. */
  readonly sha256: Readonly<Record<string, string>>;
  /** Where a user learns to install it themselves. */
  readonly installDocs: string;
}

const firstVersionToken = (re: RegExp) => (stdout: string) => {
  const v = re.exec(stdout)?.[1];
  return v && parseSemVer(v) ? v : undefined;
};

/**
 * kind binary digests by release, from the `.sha256sum` assets next to each binary
 * (https://github.com/kubernetes-sigs/kind/releases/tag/v0.33.0). Not read from the release here (no internet on the
 * build machine): copied from public pins that agree with each other, among them kubernetes-sigs/cluster-api
 * hack/ensure-kind.sh ("using the sha256sum published alongside each release binary"). A wrong pin fails closed: the
 * download is rejected with both digests. A KIND_VERSION without an entry here falls back to the checksum file.
 */
const KIND_SHA256: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'v0.33.0': {
    'linux-amd64': 'aee6151561422756b764a4ae28e7f44cda5af5a9eead3cc9985112b1de8d8e0d',
    'linux-arm64': '20022bee6cfcd5086cb7234d218e3454e6090022f2a8f55d1fa7fcf42c3867a2',
    'darwin-amd64': '5a99f26f57246dc9319dd294803313197a0f34d33c525b3ea8b655db5916ece0',
    'darwin-arm64': '0c8c7dbe5e23594a198b786c4bc13dacc101fa6196b0cb0b23a1ca44e61f4b4f',
  },
};

/**
 * Helm v3.22.0 (2026-09-10): the last Helm 3 minor ("There will be no further Helm 3 minor releases",
 * https://github.com/helm/helm/releases/tag/v3.22.0), built with Kubernetes client libraries 0.37, the minor of the
 * newest node image kconn pins (v1.37.0). Digests as printed in those release notes next to each
 * `https://get.helm.sh/helm-v3.22.0-<os>-<arch>.tar.gz.sha256sum` link, cross-checked against independent public pins
 * for linux-amd64 and linux-arm64; not fetched here (no internet on the build machine). Other platforms are verified
 * against that `.sha256sum` file over HTTPS.
 */
const HELM_VERSION = 'v3.22.0';
const HELM_SHA256: Readonly<Record<string, string>> = {
  'linux-amd64': '1e4ab49e429626cf6c6958d914248b78c9730803c2751b87627e171dc800e7bb',
  'linux-arm64': 'f14e804dfee240f55525b667488fe9adca349e63e00c9af634c0beb1421ac310',
  'darwin-amd64': 'bd1d09f316558dda23698527859600936fed1371021ce0f2272d66b2fdcfa69c',
  'darwin-arm64': '4c9982a6cdeb458b60258df66b55398ca5b19293f6877faffe2909ad6f23dfe0',
};

/**
 * subctl of the Submariner release kconn pins (mesh/submariner.ts), or of the version a topology names. Released as
 * `https://github.com/submariner-io/releases/releases/download/v<version>/subctl-v<version>-<os>-<arch>.tar.xz` (the
 * URL get.submariner.io builds for releases after 0.7; submariner-io/get-subctl), an archive whose one binary is
 * `subctl-v<version>/subctl` (subctl Makefile: `tar -cJf ... --transform "s|^cmd/bin/subctl-[^/]*|subctl-$(VERSION)/subctl|"`).
 * No SHA-256 is pinned here: none of the sources kconn could read publishes a digest for a released archive, and kconn
 * does not invent one. The archive is verified against `subctl-checksums.txt` of the same release instead, over HTTPS:
 * the Makefile's build-cross target writes it with sha256sum next to the archives, Shipyard's get-subctl script
 * verifies subctl-repo builds against it, and third-party installers fetch
 * `https://github.com/submariner-io/releases/releases/download/v<version>/subctl-checksums.txt` for releases. If it
 * is absent or lacks the archive, the download fails closed and says to install subctl on PATH.
 * `subctl version` prints "subctl version: v0.22.0" (pkg/version PrintSubctlVersion). A subctl of another minor is not
 * used: subctl refuses to act on a deployment of another version (restconfig CheckVersionMismatch).
 */
export function subctlSpec(version: string = SUBMARINER_VERSION): ToolSpec {
  const v = version.startsWith('v') ? version : `v${version}`;
  const m = /^v(\d+)\.(\d+)\./.exec(v);
  return {
    name: 'subctl',
    version: v,
    minimum: m ? `v${m[1]}.${m[2]}.0` : v,
    ...(m ? { below: `v${m[1]}.${Number(m[2]) + 1}.0` } : {}),
    versionArgs: ['version'],
    parseVersion: firstVersionToken(/^subctl version: (v\S+)/m),
    url: (p) => `https://github.com/submariner-io/releases/releases/download/${v}/subctl-${v}-${p.os}-${p.arch}.tar.xz`,
    checksumUrl: (assetUrl) => `${assetUrl.slice(0, assetUrl.lastIndexOf('/'))}/subctl-checksums.txt`,
    archiveMember: () => `subctl-${v}/subctl`,
    archiveCompression: 'J',
    sha256: {},
    installDocs: 'https://submariner.io/operations/deployment/subctl/',
  };
}

export const TOOLS: Readonly<Record<ToolName, ToolSpec>> = {
  kind: {
    name: 'kind',
    version: KIND_VERSION,
    // The node images are pinned by digest for this kind release: a kind of another minor on PATH could not be trusted
    // with them (kind's release notes: use the images built for your kind; v0.32+ images need a new kind for
    // `kind load`). Any patch release of the pinned minor is fine; anything else gets the pinned kind downloaded.
    minimum: KIND_VERSION,
    below: KIND_VERSION.replace(/^v(\d+)\.(\d+)\..*$/, (_m, major: string, minor: string) => `v${major}.${Number(minor) + 1}.0`),
    versionArgs: ['version'],
    // "kind v0.33.0 go1.25.4 linux/amd64" (kind pkg/cmd/kind/version/version.go DisplayVersion).
    parseVersion: firstVersionToken(/^kind (v\S+)/m),
    url: (p) => `https://github.com/kubernetes-sigs/kind/releases/download/${KIND_VERSION}/kind-${p.os}-${p.arch}`,
    checksumUrl: (assetUrl) => `${assetUrl}.sha256sum`,
    sha256: KIND_SHA256[KIND_VERSION] ?? {},
    installDocs: 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  },
  helm: {
    name: 'helm',
    version: HELM_VERSION,
    minimum: 'v3.14.0',
    // Helm 4 renamed flags kconn's helm steps may use (e.g. --atomic); kconn is written and tested against Helm 3.
    below: 'v4.0.0',
    versionArgs: ['version', '--template', '{{.Version}}'],
    parseVersion: firstVersionToken(/^\s*(v\d+\.\d+\.\d+\S*)\s*$/m),
    // https://helm.sh/docs/intro/install/ ("From the Binary Releases"); archive layout <os>-<arch>/helm.
    url: (p) => `https://get.helm.sh/helm-${HELM_VERSION}-${p.os}-${p.arch}.tar.gz`,
    checksumUrl: (assetUrl) => `${assetUrl}.sha256sum`,
    archiveMember: (p) => `${p.os}-${p.arch}/helm`,
    sha256: HELM_SHA256,
    installDocs: 'https://helm.sh/docs/intro/install/',
  },
  subctl: subctlSpec(),
};

/** This machine as a download platform; kconn fetches tools for linux and darwin only. */
export function hostPlatform(os: NodeJS.Platform = process.platform): Platform {
  if (os !== 'linux' && os !== 'darwin') throw new Error(`kconn downloads kind and helm for linux and darwin only, not ${os}`);
  const arch = ({ x64: 'amd64', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', arm: 'arm' } as Record<string, string>)[process.arch] ?? process.arch;
  return { os, arch };
}

/** Where ensureTool keeps a downloaded tool: `<cacheDir>/tools/<name>-<version>/<name>`. */
export function cachedToolPath(name: ToolName, cacheDir: string, spec: ToolSpec = TOOLS[name]): string {
  return join(cacheDir, 'tools', `${name}-${spec.version}`, name);
}

/** A tool found on PATH (or not), and whether kconn can use it. */
export interface ToolLookup {
  readonly name: ToolName;
  readonly status: 'ok' | 'too-old' | 'too-new' | 'broken' | 'missing';
  readonly path?: string;
  readonly version?: string;
  /** One human sentence, e.g. "v0.20.0 at /usr/bin/kind is older than the minimum v0.32.0". */
  readonly detail: string;
}

export interface FindToolOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly exec?: HostExec;
  readonly lookPath?: LookPath;
  /** Override the TOOLS entry (tests, trying another pin). */
  readonly spec?: ToolSpec;
}

const VERSION_TIMEOUT_MS = 15_000;

/** Runs `<path> <versionArgs>` and judges the version against the spec's range. */
export async function probeTool(path: string, spec: ToolSpec, exec: HostExec = execaHostExec, env: NodeJS.ProcessEnv = process.env): Promise<ToolLookup> {
  const r = await exec(path, spec.versionArgs, { timeoutMs: VERSION_TIMEOUT_MS, env });
  const command = `${path} ${spec.versionArgs.join(' ')}`;
  if (!r.ok) return { name: spec.name, status: 'broken', path, detail: `\`${command}\` failed: ${r.message ?? `exit ${r.exitCode}`}` };
  const version = spec.parseVersion(r.stdout);
  if (!version) return { name: spec.name, status: 'broken', path, detail: `\`${command}\` printed no version kconn recognises: ${JSON.stringify(r.stdout.trim().slice(0, 100))}` };
  if (compareVersions(version, spec.minimum) < 0) return { name: spec.name, status: 'too-old', path, version, detail: `${version} at ${path} is older than the minimum ${spec.minimum}` };
  if (spec.below && compareVersions(version, spec.below) >= 0) return { name: spec.name, status: 'too-new', path, version, detail: `${version} at ${path} is not supported (kconn needs < ${spec.below})` };
  return { name: spec.name, status: 'ok', path, version, detail: `${version} at ${path}` };
}

/** The first `name` on PATH (no shell, no `which`) and whether its version is in range. */
export async function findTool(name: ToolName, options: FindToolOptions = {}): Promise<ToolLookup> {
  const spec = options.spec ?? TOOLS[name];
  const env = options.env ?? process.env;
  const path = await (options.lookPath ?? defaultLookPath)(name, env);
  if (!path) return { name, status: 'missing', detail: 'not found on PATH' };
  return probeTool(path, spec, options.exec ?? execaHostExec, env);
}

export interface EnsureToolOptions {
  /** kconn's per-user cache (harness/cli/environment.ts cacheDir()). */
  readonly cacheDir: string;
  /** Download for this platform instead of the host's. */
  readonly platform?: Platform;
  readonly fetch?: FetchLike;
  readonly log?: (line: string) => void;
  /** PATH for the lookup and KCONN_TOOL_MIRROR; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  readonly exec?: HostExec;
  readonly lookPath?: LookPath;
  readonly spec?: ToolSpec;
  readonly signal?: AbortSignal;
}

function samePlatform(a: Platform): boolean {
  try {
    const h = hostPlatform();
    return h.os === a.os && h.arch === a.arch;
  } catch {
    return false;
  }
}

/** Removes the directories `mkdir -p` created (deepest first), as long as they are empty and inside the cache. */
async function removeCreatedDirs(cacheDir: string, deepest: string, firstCreated: string | undefined): Promise<void> {
  if (!firstCreated) return;
  for (let dir = deepest; ; dir = dirname(dir)) {
    try {
      await removeEmptyDirInside(cacheDir, dir);
    } catch {
      return;
    }
    if (dir === firstCreated || dirname(dir) === dir) return;
  }
}

async function install(spec: ToolSpec, platform: Platform, target: string, options: EnsureToolOptions, exec: HostExec): Promise<void> {
  const env = options.env ?? process.env;
  const url = applyToolMirror(spec.url(platform), env);
  const pinned = spec.sha256[`${platform.os}-${platform.arch}`];
  // No digest pinned for this platform: verify against the checksum file of the same release (HTTPS enforced).
  const verification: Verification = pinned ? { sha256: pinned } : { checksumUrl: spec.checksumUrl(url) };
  const common = { ...verification, within: options.cacheDir, ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.signal ? { signal: options.signal } : {}), log: (l: string) => options.log?.(`${spec.name}: ${l}`) };
  const versionDir = dirname(target);
  const firstCreated = await mkdir(versionDir, { recursive: true });
  try {
    if (!spec.archiveMember) {
      await downloadVerified(url, target, { ...common, mode: 0o755 });
      return;
    }
    // Archive: download and unpack in a scratch dir next to the cache (same filesystem), then rename the one binary in.
    const member = spec.archiveMember(platform);
    const work = await mkdtemp(join(dirname(versionDir), `.${spec.name}-${spec.version}-`));
    try {
      const archive = join(work, basename(new URL(url).pathname));
      await downloadVerified(url, archive, { ...common, mode: 0o600 });
      // tar is a host tool, not a kconn-managed one: it runs with kconn's own environment.
      const r = await exec('tar', [`-x${spec.archiveCompression ?? 'z'}f`, archive, '-C', work, '--no-same-owner', member], { timeoutMs: 120_000, env: process.env });
      if (!r.ok) throw new Error(`unpacking ${member} from ${url} failed: ${r.message ?? ''} ${r.stderr.trim()}`.trim());
      const extracted = join(work, member);
      const st = await lstat(extracted).catch(() => undefined);
      if (!st?.isFile()) throw new Error(`${url} has no regular file ${member}`);
      await chmod(extracted, 0o755);
      await rename(extracted, target);
    } finally {
      await removeInside(options.cacheDir, work);
    }
  } catch (e) {
    await removeCreatedDirs(options.cacheDir, versionDir, firstCreated);
    throw e;
  }
}

/** The versions accepted on PATH, as a user would type them: `v0.33.x` for one minor, else `>= A and < B`. */
export function acceptedVersions(spec: ToolSpec): string {
  const min = parseSemVer(spec.minimum);
  const below = spec.below ? parseSemVer(spec.below) : undefined;
  if (min && below && min.patch === 0 && min.prerelease.length === 0 && below.major === min.major && below.minor === min.minor + 1 && below.patch === 0) {
    return `v${min.major}.${min.minor}.x`;
  }
  return `>= ${spec.minimum}${spec.below ? ` and < ${spec.below}` : ''}`;
}

/** What a user can do when kconn cannot download a tool: install it, point kconn at a mirror, or let it through the proxy. */
export function downloadFixes(spec: ToolSpec, env: NodeJS.ProcessEnv = process.env): string[] {
  const origin = new URL(spec.url({ os: 'linux', arch: 'amd64' })).origin;
  const mirror = env['KCONN_TOOL_MIRROR'];
  const proxy = env['HTTPS_PROXY'] ?? env['https_proxy'];
  return [
    `install ${spec.name} ${acceptedVersions(spec)} on PATH (${spec.installDocs})`,
    mirror
      ? `check that KCONN_TOOL_MIRROR=${mirror} serves the file (it replaces ${origin} and keeps the path), or unset it`
      : `set KCONN_TOOL_MIRROR to a mirror of ${origin} (same paths)`,
    !proxy
      ? "behind a proxy: export HTTPS_PROXY=<proxy URL> NODE_USE_ENV_PROXY=1 (Node's fetch uses a proxy only with the latter)"
      : env['NODE_USE_ENV_PROXY'] !== '1'
        ? "HTTPS_PROXY is set, but Node's fetch ignores it unless NODE_USE_ENV_PROXY=1: export NODE_USE_ENV_PROXY=1"
        : `check that the proxy in HTTPS_PROXY lets ${origin} through (and that NO_PROXY does not list it)`,
  ];
}

/** A tool is not usable on PATH and could not be downloaded; the message ends with what to do. The download error is the cause. */
export class ToolUnavailableError extends Error {
  constructor(
    readonly tool: ToolName,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'ToolUnavailableError';
  }
}

const inFlight = new Map<string, Promise<string>>();

/**
 * Path of a usable `name`: the one on PATH when its version is in range, else the pinned version from kconn's cache,
 * else downloaded into the cache (mirror-aware, SHA-256 verified, written atomically, mode 0755). Concurrent calls for
 * the same tool and cache share one download.
 */
export function ensureTool(name: ToolName, options: EnsureToolOptions): Promise<string> {
  const spec = options.spec ?? TOOLS[name];
  const key = `${cachedToolPath(name, options.cacheDir, spec)}\0${JSON.stringify(options.platform ?? null)}`;
  let p = inFlight.get(key);
  if (!p) {
    p = ensureToolOnce(name, spec, options).finally(() => inFlight.delete(key));
    inFlight.set(key, p);
  }
  return p;
}

async function ensureToolOnce(name: ToolName, spec: ToolSpec, options: EnsureToolOptions): Promise<string> {
  const env = options.env ?? process.env;
  const exec = options.exec ?? execaHostExec;
  const log = (line: string): void => options.log?.(`${name}: ${line}`);

  const onPath = await findTool(name, { env, exec, spec, ...(options.lookPath ? { lookPath: options.lookPath } : {}) });
  if (onPath.status === 'ok' && onPath.path) {
    log(`using ${onPath.detail}`);
    return onPath.path;
  }
  log(`${onPath.detail}: using kconn's pinned ${spec.version}`);

  const platform = options.platform ?? hostPlatform();
  const runnable = samePlatform(platform);
  const target = cachedToolPath(name, options.cacheDir, spec);
  if (await isExecutableFile(target)) {
    if (!runnable) return target;
    const cached = await probeTool(target, spec, exec, env);
    if (cached.version === spec.version) {
      log(`using cached ${spec.version} at ${target}`);
      return target;
    }
    log(`cached ${target} is unusable (${cached.detail}); downloading it again`);
  }

  try {
    await install(spec, platform, target, options, exec);
  } catch (e) {
    // An interrupted download (Ctrl-C, --timeout) or a cache outside its folder is not the user's network to fix.
    if (options.signal?.aborted || e instanceof OutsideRootError) throw e;
    throw new ToolUnavailableError(
      name,
      `${name} is needed but ${onPath.status === 'missing' ? 'not on PATH' : `the one on PATH is unusable (${onPath.detail})`}, ` +
        `and downloading the pinned ${spec.version} failed: ${(e as Error).message}\n` +
        `fix one of:\n${downloadFixes(spec, env).map((f) => `  - ${f}`).join('\n')}`,
      { cause: e },
    );
  }
  if (runnable) {
    const installed = await probeTool(target, spec, exec, env);
    if (installed.version !== spec.version) {
      await removeInside(options.cacheDir, target);
      throw new Error(`the downloaded ${name} does not report ${spec.version} (${installed.detail}); removed it`);
    }
  }
  log(`installed ${spec.version} at ${target}`);
  return target;
}
