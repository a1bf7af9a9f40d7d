import type { ProbeObservation, ProbeSpec } from '../model/probe.js';
import { DEADLINE_EXIT_CODES, type RawRun } from './kinds/probeKind.js';
import { probeKind } from './kinds/registry.js';
import { missingExecutable } from './podExec.js';

/**
 * Classifies one run: the wrapper's exit codes first (tool missing, hard deadline), then the kind's own reading.
 * 137/143 mean "killed by a signal": a timeout only when the deadline had passed (busybox's timeout), otherwise
 * something else killed the probe (the OOM killer, a pod shutting down) and it measured nothing.
 */
export function classifyRun(spec: ProbeSpec, run: RawRun, elapsedMs?: number): ProbeObservation {
  if (run.exitCode === 127 || run.exitCode === 126) {
    const tool = /failed to run command '([^']+)'|([\w.-]+): (?:command )?not found/.exec(run.stderr);
    return { outcome: 'error', reason: `tool missing in the source: ${tool?.[1] ?? tool?.[2] ?? missingExecutable(run.stderr) ?? run.stderr.trim()}` };
  }
  if ((DEADLINE_EXIT_CODES as readonly number[]).includes(run.exitCode)) {
    // A tool's own inner timeout fires at the probe timeout; anything that kills it sooner is not a timeout.
    if (run.exitCode !== 124 && elapsedMs !== undefined && elapsedMs < spec.timeoutMs - 250) {
      return { outcome: 'error', reason: `the probe was killed (exit ${run.exitCode}) after ${Math.round(elapsedMs)} ms, before its ${spec.timeoutMs} ms timeout` };
    }
    return { outcome: 'timeout', reason: 'no answer before the deadline' };
  }
  return probeKind(spec).classify(spec, run);
}
