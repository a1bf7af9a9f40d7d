import type { ProbeObservation, ProbeOutcome, ProbeSpec } from '../../model/probe.js';

/** One run of a probe's tool inside the source. */
export interface RawRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * When an "until" probe may stop polling inside the source: the exit code is one of `codes`, every `stdout`
 * pattern (POSIX ERE, grep -E) matches stdout and every `stderr` pattern matches stderr. It only decides when to stop
 * early; the result is still classified by `classify`, so a loose condition can never turn into a wrong verdict.
 */
export interface UntilCondition {
  readonly codes: readonly number[];
  readonly stdout?: readonly string[];
  readonly stderr?: readonly string[];
}

/** A probe kind: how to run it and how to read what came back. Registered in probe/kinds/registry.ts. */
export interface ProbeKindModule<S extends ProbeSpec = ProbeSpec> {
  readonly kind: S['kind'];
  /** Tools the source must have. */
  readonly tools: readonly string[];
  /** Why the spec cannot run (a hostile or malformed value), or undefined. */
  validate(spec: S): string | undefined;
  /** The tool's argv, with the tool's own timeouts set from the spec. */
  argv(spec: S): string[];
  /**
   * Hard deadline for one attempt, in whole seconds: a backstop one second past the tool's own wait, enforced with
   * `timeout` around the argv (whole seconds because busybox <= 1.36 `timeout` truncates fractions: 1.5 kills at
   * 1 s), and what the exec of a batch is given.
   */
  deadlineSeconds(spec: S): number;
  /** The argv enforces its own deadline (timedScript), so no `timeout` is put around it. */
  readonly timesItself?: boolean;
  /** How long the tool itself waits for an answer: an attempt that timed out took this long (plus process start). */
  waitMs(spec: S): number;
  /** What the tool's exit code and output mean. Called only for exit codes the engine does not handle itself. */
  classify(spec: S, run: RawRun): ProbeObservation;
  /** The stop condition of "until" mode for one wanted outcome, or undefined when this kind cannot produce it. */
  until(spec: S, want: ProbeOutcome): UntilCondition | undefined;
  /**
   * How a batch runs this probe without starting a bash of its own (each process costs a busy source CPU it may not
   * have): a bash function the batch script defines once, and the call that does what `argv` does. The call takes
   * the same values as positional arguments, never inside the function's text.
   */
  readonly inBatch?: {
    readonly definition: string;
    argv(spec: S): string[];
    /** A plain TCP connect, which the batch script can time itself with one process (directConnects.ts). */
    direct?(spec: S): { host: string; port: number; timeoutMs: number };
  };
}

/** Exit codes of `timeout` at its deadline: GNU 124; busybox reports the signal it sent (143 TERM, 137 KILL). */
export const DEADLINE_EXIT_CODES = [124, 137, 143] as const;

/** Seconds for command-line flags: 1500 ms -> "1.5". */
export function seconds(ms: number): string {
  return String(Math.round(ms) / 1000);
}

/** Whole seconds, rounded up, at least 1: 1500 ms -> 2. For `timeout` and tools that only take integers. */
export function wholeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(Math.round(ms) / 1000));
}

/** The usual backstop: the tool's own wait rounded up to whole seconds, plus one second for process start and output. */
export function backstopSeconds(ms: number): number {
  return wholeSeconds(ms) + 1;
}

const CONNECT_REFUSED = /Connection refused/i;
export const UNREACHABLE = /No route to host|Network is unreachable|Host is unreachable|Destination Host Unreachable/i;
const RESET = /Connection reset/i;
const UNRESOLVABLE = /Name or service not known|Temporary failure in name resolution|Could not resolve host|No address associated|unknown host|Unknown host/i;

/** Observation for a connect that failed before any byte: refused, unreachable or unresolvable, from the message. */
export function connectFailure(text: string): ProbeObservation | undefined {
  if (CONNECT_REFUSED.test(text)) return { outcome: 'refused', reason: 'connection refused' };
  if (UNREACHABLE.test(text)) return { outcome: 'refused', reason: 'unreachable (ICMP unreachable or no route)' };
  if (RESET.test(text)) return { outcome: 'refused', reason: 'connection reset' };
  if (UNRESOLVABLE.test(text)) return { outcome: 'dns-error', dnsError: 'unresolvable', reason: 'the host name does not resolve' };
  return undefined;
}

/** A single-line hostname-looking reply identifies the backend that served it. */
export function backendIdentity(text: string): string | undefined {
  const t = text.trim();
  return /^[A-Za-z0-9]([-A-Za-z0-9.]{0,252})$/.test(t) ? t : undefined;
}
