import { lstat, mkdir, mkdtemp, rename, chmod } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { downloadVerified, type FetchLike, type Verification } from './downloadVerified.js';
import { downloadFixes } from './downloadFixes.js';
import { findTool, probeTool } from './findTool.js';
import { execaHostExec, type HostExec } from './hostExec.js';
import { OutsideRootError, removeEmptyDirInside, removeInside } from './insideRoot.js';
import { isExecutableFile, type LookPath } from './lookPath.js';
import { applyToolMirror } from './toolMirror.js';
import { hostPlatform, TOOLS, type Platform, type ToolName, type ToolSpec } from './toolSpec.js';


/** Where ensureTool keeps a downloaded tool: `<cacheDir>/tools/<name>-<version>/<name>`. */
export function cachedToolPath(name: ToolName, cacheDir: string, spec: ToolSpec = TOOLS[name]): string {
  return join(cacheDir, 'tools', `${name}-${spec.version}`, name);
}

export interface EnsureToolOptions {
  /** kconn's per-user cache (harness/session/environment.ts cacheDir()). */
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
