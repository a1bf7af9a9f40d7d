import { join, resolve } from 'node:path';
import { formatDiagnostic } from '../load/diagnostic.js';
import { loadProject } from '../load/loadProject.js';
import { PlanError, planRun } from '../plan/planRun.js';
import { cacheDir, DEFAULT_SUITES_DIR, DEFAULT_TOPOLOGY, detectKindNetwork, hostArch, runsRoot } from './environment.js';
import { renderPlanText } from './renderPlan.js';
import type { CommandIO } from './validateCommand.js';

export interface PlanCommandOptions {
  readonly topology?: string;
  readonly cni?: string;
  readonly suite?: readonly string[];
  readonly suitesDir?: string;
  readonly output?: string;
  readonly runId?: string;
  /** A CIDR, `none` to skip detection, or undefined to ask Docker. */
  readonly kindNetwork?: string;
}

/** `kconn plan`: loads and validates the inputs, then prints what a run would do, without touching Docker's state. */
export async function planCommand(opts: PlanCommandOptions, io: CommandIO): Promise<number> {
  const output = opts.output ?? 'text';
  if (output !== 'text' && output !== 'json') {
    io.err(`--output ${output}: expected text or json`);
    return 2;
  }
  const topologyPath = opts.topology ?? DEFAULT_TOPOLOGY;
  const project = await loadProject([topologyPath, opts.suitesDir ?? DEFAULT_SUITES_DIR], { crossCheck: false });
  if (project.diagnostics.length) {
    for (const d of project.diagnostics) io.err(formatDiagnostic(d));
    io.err(`plan: fix the ${project.diagnostics.length} problem(s) above first (kconn validate shows them too)`);
    return 1;
  }
  const topologyFile = resolve(topologyPath);
  const topologies = project.topologies.filter((t) => resolve(t.source.file) === topologyFile);
  if (topologies.length !== 1) {
    io.err(`${topologyPath}: expected exactly one Topology document, found ${topologies.length}`);
    return 1;
  }
  const kindNetwork = opts.kindNetwork === 'none' ? undefined : (opts.kindNetwork ?? (await detectKindNetwork()));
  const runId = opts.runId ?? 'plan';
  try {
    const plan = planRun(topologies[0]!, project.suites, {
      runId,
      ...(opts.cni !== undefined ? { cni: opts.cni } : {}),
      suites: opts.suite ?? [],
      cacheDir: cacheDir(),
      stateDir: join(runsRoot(), runId),
      arch: hostArch(),
      ...(kindNetwork ? { kindNetwork } : {}),
    });
    io.out(output === 'json' ? JSON.stringify(plan, null, 2) : renderPlanText(plan));
    return 0;
  } catch (e) {
    if (e instanceof PlanError) {
      for (const p of e.problems) io.err(p);
      return 1;
    }
    throw e;
  }
}
