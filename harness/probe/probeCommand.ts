import type { ProbeSpec } from '../model/probe.js';
import { probeKind } from './kinds/registry.js';

/**
 * A probe's argv with its hard deadline (`timeout` around it, unless it times itself): this exact argv runs in the
 * source, and is what `reproduce` shows.
 */
export function probeCommand(spec: ProbeSpec): string[] {
  const kind = probeKind(spec);
  return kind.timesItself ? kind.argv(spec) : ['timeout', String(kind.deadlineSeconds(spec)), ...kind.argv(spec)];
}
