import type { ConnectEvidence, ProbeEvidence, ProbeObservation, ProbeResult, ProbeSpec } from '../model/probe.js';
import type { ScriptRun } from './parseBatchOutput.js';
import { classifyRun } from './classifyRun.js';
import type { RawRun } from './kinds/probeKind.js';
import { probeKind } from './kinds/registry.js';
import type { ProbeRequest } from './probeRequest.js';
import type { PodExec } from './podExec.js';
import { TCP_ESTABLISHED, TCP_SYN_SENT } from './timedScript.js';

// A probe's result from what its script reported: the outcome (classifyRun), its times, the kernel's word and the
// evidence the verdict judges.

export function errorResult(exec: PodExec, request: ProbeRequest, reason: string, command: readonly string[] = []): ProbeResult {
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

export const latencyOf = (run: ScriptRun): number => Math.max(0, (run.endUs - run.startUs) / 1000);
export const durationOf = (run: ScriptRun): number => Math.max(0, (run.endUs - run.firstStartUs) / 1000);

/**
 * How long a timed-out run waited, by its own timer: from its deadline start (the connect) to the timer's wake-up,
 * when the probe noted both (timedScript), so that neither process start nor teardown counts as late.
 */
export const fromDeadlineOf = (run: ScriptRun): number | undefined =>
  run.deadlineStartUs !== undefined && run.deadlineEndUs !== undefined ? Math.max(0, (run.deadlineEndUs - run.deadlineStartUs) / 1000) : undefined;

/** The kernel's word on a run's connect, when it gave one. */
export function connectOf(k: ScriptRun['connect']): ConnectEvidence | undefined {
  if (!k || k.state === '?') return undefined;
  if (k.state === TCP_SYN_SENT) return { state: 'syn-sent', synUnansweredMs: Math.round(k.synAgeUs / 1000) };
  if (k.state === TCP_ESTABLISHED) return { state: 'established' };
  if (k.state === '-') return { state: 'no-socket' };
  return { state: 'other', tcpState: k.state };
}

export const withDeadline = (run: ScriptRun): { fromDeadlineMs?: number } => {
  const ms = fromDeadlineOf(run);
  return ms !== undefined ? { fromDeadlineMs: ms } : {};
};

export function observe(spec: ProbeSpec, run: ScriptRun): ProbeObservation & { latencyMs: number } {
  const latencyMs = latencyOf(run);
  return { ...classifyRun(spec, run, latencyMs), latencyMs };
}

export function probeResult(
  exec: PodExec,
  request: ProbeRequest,
  command: readonly string[],
  raw: RawRun & { attempts: number; latencyMs?: number; durationMs?: number; fromDeadlineMs?: number; connect?: ScriptRun['connect'] },
  evidence: Omit<ProbeEvidence, 'lateMs' | 'connect'>,
): ProbeResult {
  const { fromDeadlineMs, connect: kernel, ...run } = raw;
  const observation = classifyRun(request.spec, run, run.latencyMs);
  // How much later than the tool's own wait a timeout ended: by the probe's own timer when it noted it (process start
  // and teardown never count); else from the start of the attempt to its end.
  const ranMs = fromDeadlineMs ?? run.latencyMs;
  const lateMs = observation.outcome === 'timeout' && ranMs !== undefined ? Math.round(ranMs - probeKind(request.spec).waitMs(request.spec)) : undefined;
  const connect = observation.outcome === 'timeout' && kernel ? connectOf(kernel) : undefined;
  return {
    id: request.id,
    spec: request.spec,
    source: exec.source,
    ...observation,
    ...(run.latencyMs !== undefined ? { latencyMs: run.latencyMs } : {}),
    ...(run.durationMs !== undefined ? { durationMs: Math.round(run.durationMs) } : {}),
    attempts: run.attempts,
    command,
    exitCode: run.exitCode,
    stdout: run.stdout,
    stderr: run.stderr,
    reproduce: exec.reproduce(command),
    evidence: { ...evidence, ...(lateMs !== undefined ? { lateMs } : {}), ...(connect ? { connect } : {}) },
  };
}
