import { execaHostExec, type HostExec } from './hostExec.js';
import { lookPath as defaultLookPath, type LookPath } from './lookPath.js';
import { compareVersions } from '../model/semver.js';
import { TOOLS, type ToolName, type ToolSpec } from './toolSpec.js';

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
