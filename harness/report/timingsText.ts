import type { PhaseTiming } from '../model/runReport.js';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/** Timings for people at the end of a run: one line per cluster, the images, one line per suite. */
export function formatTimings(timings: readonly PhaseTiming[]): string[] {
  const groups = new Map<string, string[]>();
  for (const t of timings) {
    const key = t.suite !== undefined ? `suite ${t.suite}` : t.cluster !== undefined ? `cluster ${t.cluster}` : 'run';
    const label = t.suite !== undefined && t.cluster !== undefined ? `${t.phase} (${t.cluster})` : t.phase;
    groups.set(key, [...(groups.get(key) ?? []), `${label} ${seconds(t.ms)}`]);
  }
  return [...groups].map(([key, parts]) => `timings: ${key}: ${parts.join(', ')}`);
}
