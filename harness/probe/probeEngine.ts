import pLimit from 'p-limit';
import type { ControlRun, ControlTarget, ProbeResult, ProbeSpec } from '../model/probe.js';
import { FAST_CONTROL_SHARE, MAX_LATE_MS } from '../model/probe.js';
import { batchScriptBytes, buildBatchScript, entryScriptBytes, type ScriptControl, type ScriptEntry, type ScriptOptions } from './batchScript.js';
import { BatchOutputError, parseBatchOutput, type BatchOutput } from './parseBatchOutput.js';
import type { DirectConnect } from './probeScheduler.js';
import { httpStatusCondition } from './kinds/http.js';
import { DEADLINE_EXIT_CODES, type UntilCondition } from './kinds/probeKind.js';
import { probeKind } from './kinds/registry.js';
import { ExecError, missingExecutable, type PodExec } from './podExec.js';
import { probeCommand } from './probeCommand.js';
import type { BatchOptions, ProbeRequest, SourceBatch } from './probeRequest.js';
import { connectOf, durationOf, errorResult, fromDeadlineOf, latencyOf, observe, probeResult, withDeadline } from './probeResult.js';

/** Extra time the exec of a batch gets beyond its slowest schedule, for process start and output. */
const EXEC_MARGIN_MS = 10_000;
const DEFAULT_INTERVAL_MS = 500;
export const DEFAULT_EXEC_CONCURRENCY = 16;
/**
 * Most probes one source runs at once (its positive control included). Every probe in flight is a few processes
 * (bash or the tool, `timeout` or the deadline's process substitution), each costing a few ms of CPU to start; a busy
 * source should not start them all at the same moment. 12 was measured with bench/probes.bench.ts (`--cap N`: 10
 * sources with 10 blocked targets each, on the 2-core build machine): caps 4 and 8 took 2.4x and 1.6x as long (the
 * blocked probes no longer fit one round), 16 and 24 gained nothing, and at every cap the timeouts' own timers woke
 * at most 51 ms late. See the README's "Probes".
 */
export const DEFAULT_PROBE_CAP = 12;
/**
 * Most probes one exec carries, and most bytes of its script. The script is one argument (`bash -c <script>`):
 * Linux caps one argument at 128 KiB (MAX_ARG_STRLEN), and the Kubernetes exec API carries it URL-encoded in the
 * request's query (`command=`), so a batch of long HTTP paths is split by size as well as by count. The execs of one
 * source run one after the other, so that the cap and "alone" keep their meaning.
 */
export const MAX_PROBES_PER_EXEC = 64;
export const MAX_SCRIPT_BYTES = 64 * 1024;

function untilCondition(request: ProbeRequest): UntilCondition | undefined {
  const u = request.until;
  if (!u) return undefined;
  if (request.spec.kind === 'http' && u.outcome === 'connected' && u.httpStatus !== undefined) return httpStatusCondition(u.httpStatus);
  return probeKind(request.spec).until(request.spec, u.outcome);
}

/** Exit codes after which a probe of this spec may be negative (timeout or refused), and those that may be a timeout. */
function negativeCodes(spec: ProbeSpec): { negative: number[]; timeout: number[] } {
  const kind = probeKind(spec);
  const timeout = [...new Set([...DEADLINE_EXIT_CODES, ...(kind.until(spec, 'timeout')?.codes ?? [])])];
  return { timeout, negative: [...new Set([...timeout, ...(kind.until(spec, 'refused')?.codes ?? [])])] };
}

/** A probe ready for the script: its entry, the command it reproduces with, and the longest it can take. */
interface Prepared {
  readonly request: ProbeRequest;
  readonly entry: ScriptEntry;
  readonly command: string[];
  /** Longest one batch run can take (every until attempt, each to its deadline). */
  readonly batchMs: number;
  readonly bytes: number;
}

/**
 * Runs every probe of one source inside the source: at most `cap` at a time, each under its own deadline, in one
 * exec (or a few, one after the other, when the batch is too large for one exec argument). Each exec carries the
 * positive control when one is given and re-runs negatives alone (see buildBatchScript); every result carries that
 * evidence, and the verdict judges it. Invalid specs never run (error). If an exec fails, every probe it carried is
 * an error with the cause. Results come back in the order of the requests.
 */
export async function runBatch(exec: PodExec, requests: readonly ProbeRequest[], options: BatchOptions = {}): Promise<ProbeResult[]> {
  const results: (ProbeResult | undefined)[] = requests.map(() => undefined);
  const ready: Prepared[] = [];
  requests.forEach((request, index) => {
    const kind = probeKind(request.spec);
    const problem = kind.validate(request.spec);
    if (problem) {
      results[index] = errorResult(exec, request, `invalid probe, not run: ${problem}`);
      return;
    }
    const condition = untilCondition(request);
    if (request.until && !condition) {
      results[index] = errorResult(exec, request, `a ${request.spec.kind} probe cannot wait until "${request.until.outcome}"`);
      return;
    }
    const deadlineSeconds = kind.deadlineSeconds(request.spec);
    const until = request.until && condition ? { withinMs: request.until.withinMs, intervalMs: request.until.intervalMs ?? DEFAULT_INTERVAL_MS, condition } : undefined;
    const entry: ScriptEntry = {
      index,
      ...inBatch(request.spec),
      ...(until ? { until } : {}),
      confirm: { ...negativeCodes(request.spec), waitMs: kind.waitMs(request.spec) },
    };
    const batchMs = (until ? until.withinMs + until.intervalMs : 0) + deadlineSeconds * 1000;
    ready.push({ request, entry, command: probeCommand(request.spec), batchMs, bytes: entryScriptBytes(entry) });
  });

  const cap = Math.max(1, Math.floor(options.cap ?? DEFAULT_PROBE_CAP));
  const chunks: Prepared[][] = [];
  // Every script carries the functions its probes call once: counted with the script's fixed part.
  const functions = [...new Set(ready.map((p) => p.entry.define))].reduce((n, f) => n + (f ? Buffer.byteLength(f, 'utf8') + 1 : 0), 0);
  const base = batchScriptBytes([], { cap, lonePhase: true, maxLateMs: MAX_LATE_MS, ...(options.control ? { control: controlScript(options.control, 600_000) } : {}) }) + functions;
  let size = base;
  for (const p of ready) {
    const last = chunks.at(-1);
    if (last && last.length < MAX_PROBES_PER_EXEC && size + p.bytes <= MAX_SCRIPT_BYTES) {
      last.push(p);
      size += p.bytes;
    } else {
      chunks.push([p]);
      size = base + p.bytes;
    }
  }
  for (const chunk of chunks) {
    for (const r of await runOneExec(exec, chunk, cap, options.control)) results[r.index] = r.result;
  }
  return results as ProbeResult[];
}

/** The control's TCP probe, with the batch's shortest timeout: the source must connect as fast as its probes must. */
function controlSpec(target: ControlTarget, timeoutMs: number): ProbeSpec {
  return { kind: 'tcp', host: target.host, port: target.port, timeoutMs };
}

/**
 * How the batch script runs a probe: its kind's function (inBatch) where it has one, so that no new bash starts,
 * else its argv under `timeout` unless it times itself. Either does what probeCommand's argv does.
 */
function inBatch(spec: ProbeSpec): { deadlineSeconds: number; argv: string[]; define?: string; direct?: DirectConnect } {
  const kind = probeKind(spec);
  const deadlineSeconds = kind.timesItself ? 0 : kind.deadlineSeconds(spec);
  if (!kind.inBatch) return { deadlineSeconds, argv: kind.argv(spec) };
  const direct = kind.inBatch.direct?.(spec);
  return { deadlineSeconds, argv: kind.inBatch.argv(spec), define: kind.inBatch.definition, ...(direct ? { direct } : {}) };
}

/** The control as the script runs it; it vouches for the batch only when it answers within FAST_CONTROL_SHARE of the timeout. */
function controlScript(target: ControlTarget, timeoutMs: number): ScriptControl {
  return { ...inBatch(controlSpec(target, timeoutMs)), fastUs: Math.round(timeoutMs * 1000 * FAST_CONTROL_SHARE) };
}

/** Why a batch's exec gave nothing to read, in words. */
function execFailure(out: { exitCode: number; stdout: string; stderr: string }): string | undefined {
  if (out.stdout.includes('KCONN-')) return undefined;
  const text = `${out.stderr}\n${out.stdout}`;
  const missing = missingExecutable(text);
  if ((out.exitCode === 126 || out.exitCode === 127) && missing) return `tool missing in the source: ${missing}`;
  return `probe script produced no results (exit ${out.exitCode}): ${text.trim()}`;
}

async function runOneExec(exec: PodExec, chunk: readonly Prepared[], cap: number, target: ControlTarget | undefined): Promise<{ index: number; result: ProbeResult }[]> {
  const shortest = Math.min(...chunk.map((p) => p.request.spec.timeoutMs));
  const control = target ? controlSpec(target, shortest) : undefined;
  const controlProblem = control ? probeKind(control).validate(control) : undefined;
  if (controlProblem) return chunk.map((p) => ({ index: p.entry.index, result: errorResult(exec, p.request, `invalid control target, not run: ${controlProblem}`, p.command) }));

  const opts: ScriptOptions = {
    cap,
    lonePhase: chunk.length > 1 || control !== undefined,
    maxLateMs: MAX_LATE_MS,
    ...(target ? { control: controlScript(target, shortest) } : {}),
  };
  const controlMs = control ? probeKind(control).deadlineSeconds(control) * 1000 : 0;
  // Phase 1 in rounds of `cap`, then every probe alone between two controls, each to its deadline.
  const rounds = Math.ceil((chunk.length + (control ? 2 : 0)) / cap) + 1;
  const execMs =
    rounds * Math.max(controlMs, ...chunk.map((p) => p.batchMs)) +
    (opts.lonePhase ? chunk.reduce((n, p) => n + probeKind(p.request.spec).deadlineSeconds(p.request.spec) * 1000 + controlMs, controlMs) : 0) +
    EXEC_MARGIN_MS;

  let parsed: BatchOutput | undefined;
  let failure: string | undefined;
  try {
    const script = buildBatchScript(chunk.map((p) => p.entry), opts);
    const out = exec.runScript ? await exec.runScript(script, execMs) : await exec.exec(['bash', '-c', script], execMs);
    failure = execFailure(out);
    if (!failure) {
      parsed = parseBatchOutput(out.stdout);
      if (parsed.missing.length) failure = `tool missing in the source: ${parsed.missing.join(', ')}`;
      else if (parsed.fatal.length) failure = `probe script failed in the source: ${parsed.fatal.join('; ')}`;
    }
  } catch (e) {
    if (e instanceof BatchOutputError) failure = `probe output unparseable: ${e.message}`;
    else failure = e instanceof ExecError ? e.message : `exec failed: ${(e as Error).message}`;
  }

  const controlRun = (k: number): ControlRun => {
    const named = `tcp ${target!.host}:${target!.port}`;
    const run = parsed?.controls.get(k);
    if (!run) return { target: named, outcome: 'error', reason: 'the control did not report' };
    const o = observe(control!, run);
    const connect = o.outcome === 'timeout' ? connectOf(run.connect) : undefined;
    return { target: named, outcome: o.outcome, latencyMs: Math.round(o.latencyMs), ...(o.reason ? { reason: o.reason } : {}), ...(connect ? { connect } : {}) };
  };
  const batchControls = control ? [controlRun(0), controlRun(1)] : [];

  return chunk.map(({ request, entry, command }) => {
    const index = entry.index;
    const run = failure ? undefined : parsed?.runs.get(index);
    if (!run) {
      return { index, result: errorResult(exec, request, failure ?? `no result reported for this probe${parsed?.complete ? '' : ' (output cut short)'}`, command) };
    }
    const first = observe(request.spec, run);
    const lone = parsed!.lone.get(index);
    const skippedAfter = parsed!.skipped.get(index);
    if (lone?.run) {
      const k = lone.controlBefore;
      const firstFromDeadline = fromDeadlineOf(run);
      const firstLate = first.outcome === 'timeout' ? Math.round((firstFromDeadline ?? first.latencyMs) - probeKind(request.spec).waitMs(request.spec)) : undefined;
      const again = lone.run;
      const result = probeResult(
        exec,
        request,
        command,
        { ...again, latencyMs: latencyOf(again), ...withDeadline(again), durationMs: durationOf(run) + durationOf(again), attempts: run.attempts + again.attempts },
        {
          controls: k !== undefined && control ? [controlRun(k), controlRun(k + 1)] : [],
          alone: true,
          batch: {
            outcome: first.outcome,
            latencyMs: Math.round(first.latencyMs),
            ...(first.reason ? { reason: first.reason } : {}),
            ...(firstLate !== undefined ? { lateMs: firstLate } : {}),
            ...(first.outcome === 'timeout' && connectOf(run.connect) ? { connect: connectOf(run.connect)! } : {}),
            ...(batchControls.length ? { controls: batchControls } : {}),
          },
        },
      );
      return { index, result };
    }
    const controls = skippedAfter !== undefined && control ? [...batchControls, controlRun(skippedAfter)] : batchControls;
    const result = probeResult(exec, request, command, { ...run, latencyMs: first.latencyMs, ...withDeadline(run), durationMs: durationOf(run) }, { controls, alone: !opts.lonePhase });
    return { index, result };
  });
}

/** One exec per probe: the baseline the batched engine is measured against, and a fallback for one-off probes. */
export async function runSingle(exec: PodExec, request: ProbeRequest): Promise<ProbeResult> {
  const problem = probeKind(request.spec).validate(request.spec);
  if (problem) return errorResult(exec, request, `invalid probe, not run: ${problem}`);
  if (request.until) return (await runBatch(exec, [request]))[0]!;
  const command = probeCommand(request.spec);
  const started = performance.now();
  try {
    const out = await exec.exec(command, probeKind(request.spec).deadlineSeconds(request.spec) * 1000 + EXEC_MARGIN_MS);
    const ms = performance.now() - started;
    // Other execs may run from the same source at the same time: this run is not "alone".
    return probeResult(exec, request, command, { ...out, attempts: 1, latencyMs: ms, durationMs: ms }, { controls: [], alone: false });
  } catch (e) {
    return errorResult(exec, request, e instanceof ExecError ? e.message : `exec failed: ${(e as Error).message}`, command);
  }
}

/** Runs one batch per source, at most `concurrency` execs at a time. Results come back in the order of the batches. */
export async function runBatches(batches: readonly SourceBatch[], concurrency = DEFAULT_EXEC_CONCURRENCY): Promise<ProbeResult[][]> {
  const limit = pLimit(concurrency);
  return Promise.all(batches.map((b) => limit(() => runBatch(b.exec, b.requests, { ...(b.control ? { control: b.control } : {}), ...(b.cap ? { cap: b.cap } : {}) }))));
}
