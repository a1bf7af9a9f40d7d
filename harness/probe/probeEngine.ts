import pLimit from 'p-limit';
import type { ProbeObservation, ProbeOutcome, ProbeResult, ProbeSpec } from '../model/probe.js';
import { buildBatchScript, parseBatchOutput, type ScriptEntry, type ScriptRun } from './batchScript.js';
import { httpStatusCondition } from './kinds/http.js';
import { DEADLINE_EXIT_CODES, type RawRun, type UntilCondition } from './kinds/probeKind.js';
import { probeKind } from './kinds/registry.js';
import { ExecError, type PodExec } from './podExec.js';

/** One probe to run from a source. */
export interface ProbeRequest {
  readonly id: string;
  readonly spec: ProbeSpec;
  /** Poll inside the source until this outcome holds (eventual consistency, e.g. after a policy is applied). */
  readonly until?: { readonly outcome: ProbeOutcome; readonly httpStatus?: number; readonly withinMs: number; readonly intervalMs?: number };
}

export interface SourceBatch {
  readonly exec: PodExec;
  readonly requests: readonly ProbeRequest[];
}

/** Extra time the exec of a batch gets beyond its slowest probe, for process start and output. */
const EXEC_MARGIN_MS = 10_000;
const DEFAULT_INTERVAL_MS = 500;
export const DEFAULT_EXEC_CONCURRENCY = 16;
/**
 * Most probes one exec carries. The batch script travels in the exec request's URL (`command=` query parameters of
 * the Kubernetes exec API), so a very large suite is split into several concurrent execs rather than one huge URL.
 */
export const MAX_PROBES_PER_EXEC = 64;

/** Wraps a probe's argv in its hard deadline: this exact argv runs in the source, and is what `reproduce` shows. */
export function probeCommand(spec: ProbeSpec): string[] {
  const kind = probeKind(spec);
  return ['timeout', String(kind.deadlineSeconds(spec)), ...kind.argv(spec)];
}

/**
 * Classifies one run: the wrapper's exit codes first (tool missing, hard deadline), then the kind's own reading.
 * 137/143 mean "killed by a signal": a timeout only when the deadline had passed (busybox's timeout), otherwise
 * something else killed the probe (the OOM killer, a pod shutting down) and it measured nothing.
 */
export function classifyRun(spec: ProbeSpec, run: RawRun, elapsedMs?: number): ProbeObservation {
  if (run.exitCode === 127 || run.exitCode === 126) {
    const tool = /failed to run command '([^']+)'|([\w.-]+): (?:command )?not found/.exec(run.stderr);
    return { outcome: 'error', reason: `tool missing in the source: ${tool?.[1] ?? tool?.[2] ?? run.stderr.trim()}` };
  }
  if ((DEADLINE_EXIT_CODES as readonly number[]).includes(run.exitCode)) {
    // A tool's own inner timeout (UDP's) fires at the probe timeout; anything that kills it sooner is not a timeout.
    if (run.exitCode !== 124 && elapsedMs !== undefined && elapsedMs < spec.timeoutMs - 250) {
      return { outcome: 'error', reason: `the probe was killed (exit ${run.exitCode}) after ${Math.round(elapsedMs)} ms, before its ${spec.timeoutMs} ms timeout` };
    }
    return { outcome: 'timeout', reason: 'no answer before the deadline' };
  }
  return probeKind(spec).classify(spec, run);
}

function untilCondition(request: ProbeRequest): UntilCondition | undefined {
  const u = request.until;
  if (!u) return undefined;
  if (request.spec.kind === 'http' && u.outcome === 'connected' && u.httpStatus !== undefined) return httpStatusCondition(u.httpStatus);
  return probeKind(request.spec).until(request.spec, u.outcome);
}

function errorResult(exec: PodExec, request: ProbeRequest, reason: string, command: readonly string[] = []): ProbeResult {
  return {
    id: request.id,
    spec: request.spec,
    source: exec.source,
    outcome: 'error',
    reason,
    attempts: 0,
    command,
    stdout: '',
    stderr: '',
    reproduce: command.length ? exec.reproduce(command) : '',
  };
}

function toResult(exec: PodExec, request: ProbeRequest, command: readonly string[], run: RawRun & { attempts: number; latencyMs?: number }): ProbeResult {
  return {
    id: request.id,
    spec: request.spec,
    source: exec.source,
    ...classifyRun(request.spec, run, run.latencyMs),
    ...(run.latencyMs !== undefined ? { latencyMs: run.latencyMs } : {}),
    attempts: run.attempts,
    command,
    exitCode: run.exitCode,
    stdout: run.stdout,
    stderr: run.stderr,
    reproduce: exec.reproduce(command),
  };
}

/**
 * Runs every probe of one source concurrently inside the source, each under its own deadline: in one exec, or in a
 * few concurrent ones when there are more than MAX_PROBES_PER_EXEC. Invalid specs never run (error). If an exec
 * fails, every probe it carried is an error with the cause.
 */
export async function runBatch(exec: PodExec, requests: readonly ProbeRequest[]): Promise<ProbeResult[]> {
  if (requests.length <= MAX_PROBES_PER_EXEC) return runOneExec(exec, requests);
  const chunks: ProbeRequest[][] = [];
  for (let i = 0; i < requests.length; i += MAX_PROBES_PER_EXEC) chunks.push(requests.slice(i, i + MAX_PROBES_PER_EXEC));
  return (await Promise.all(chunks.map((c) => runOneExec(exec, c)))).flat();
}

async function runOneExec(exec: PodExec, requests: readonly ProbeRequest[]): Promise<ProbeResult[]> {
  const results: (ProbeResult | undefined)[] = requests.map(() => undefined);
  const entries: ScriptEntry[] = [];
  const commands: string[][] = [];
  let slowestMs = 0;
  requests.forEach((request, index) => {
    const problem = probeKind(request.spec).validate(request.spec);
    const condition = untilCondition(request);
    if (problem) {
      results[index] = errorResult(exec, request, `invalid probe, not run: ${problem}`);
      return;
    }
    if (request.until && !condition) {
      results[index] = errorResult(exec, request, `a ${request.spec.kind} probe cannot wait until "${request.until.outcome}"`);
      return;
    }
    const deadlineSeconds = probeKind(request.spec).deadlineSeconds(request.spec);
    const command = probeCommand(request.spec);
    commands[index] = command;
    const until = request.until && condition ? { withinMs: request.until.withinMs, intervalMs: request.until.intervalMs ?? DEFAULT_INTERVAL_MS, condition } : undefined;
    entries.push({ index, deadlineSeconds, argv: probeKind(request.spec).argv(request.spec), ...(until ? { until } : {}) });
    slowestMs = Math.max(slowestMs, (until ? until.withinMs : 0) + (deadlineSeconds + 1) * 1000);
  });
  if (entries.length === 0) return results as ProbeResult[];

  let stdout = '';
  let failure: string | undefined;
  try {
    const out = await exec.exec(['bash', '-c', buildBatchScript(entries)], slowestMs + EXEC_MARGIN_MS);
    stdout = out.stdout;
    if (!out.stdout.includes('KCONN-')) {
      failure =
        out.exitCode === 126 || out.exitCode === 127 || /not found|no such file/i.test(out.stderr)
          ? `tool missing in the source: bash (${out.stderr.trim() || `exit ${out.exitCode}`})`
          : `probe script produced no results (exit ${out.exitCode}): ${out.stderr.trim()}`;
    }
  } catch (e) {
    failure = e instanceof ExecError ? e.message : `exec failed: ${(e as Error).message}`;
  }

  let parsed: ReturnType<typeof parseBatchOutput> | undefined;
  if (!failure) {
    try {
      parsed = parseBatchOutput(stdout);
      if (parsed.missing.length) failure = `tool missing in the source: ${parsed.missing.join(', ')}`;
    } catch (e) {
      failure = `probe output unparseable: ${(e as Error).message}`;
    }
  }
  for (const entry of entries) {
    const request = requests[entry.index]!;
    const command = commands[entry.index]!;
    const run: ScriptRun | undefined = parsed?.runs.get(entry.index);
    if (!run) {
      results[entry.index] = errorResult(exec, request, failure ?? `no result reported for this probe${parsed?.complete ? '' : ' (output cut short)'}`, command);
      continue;
    }
    results[entry.index] = toResult(exec, request, command, { ...run, latencyMs: Math.max(0, (run.endUs - run.startUs) / 1000) });
  }
  return results as ProbeResult[];
}

/** One exec per probe: the baseline the batched engine is measured against, and a fallback for one-off probes. */
export async function runSingle(exec: PodExec, request: ProbeRequest): Promise<ProbeResult> {
  const problem = probeKind(request.spec).validate(request.spec);
  if (problem) return errorResult(exec, request, `invalid probe, not run: ${problem}`);
  if (request.until) return (await runBatch(exec, [request]))[0]!;
  const command = probeCommand(request.spec);
  const started = performance.now();
  try {
    const out = await exec.exec(command, (probeKind(request.spec).deadlineSeconds(request.spec) + 1) * 1000 + EXEC_MARGIN_MS);
    return toResult(exec, request, command, { ...out, attempts: 1, latencyMs: performance.now() - started });
  } catch (e) {
    return errorResult(exec, request, e instanceof ExecError ? e.message : `exec failed: ${(e as Error).message}`, command);
  }
}

/** Runs one batch per source, at most `concurrency` execs at a time. Results come back in the order of the batches. */
export async function runBatches(batches: readonly SourceBatch[], concurrency = DEFAULT_EXEC_CONCURRENCY): Promise<ProbeResult[][]> {
  const limit = pLimit(concurrency);
  return Promise.all(batches.map((b) => limit(() => runBatch(b.exec, b.requests))));
}
