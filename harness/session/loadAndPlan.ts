import { join, resolve } from 'node:path';
import { formatDiagnostic, isError } from '../load/diagnostic.js';
import { loadProject, type LoadedProject } from '../load/loadProject.js';
import { parseCidr } from '../model/cidr.js';
import type { Plan } from '../model/plan.js';
import { PlanError, planRun } from '../plan/planRun.js';
import { cacheDir, DEFAULT_SUITES_DIR, DEFAULT_TOPOLOGY, detectKindNetwork, hostArch, runsRoot } from './environment.js';

/** The input cannot be run as asked; the message, one problem per line, says why and where. */
export class UserInputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'UserInputError';
  }
}

export interface PlanInputs {
  readonly topology?: string;
  readonly cni?: string;
  /** --node-image: a kind node image for every cluster (validated when planning). */
  readonly nodeImage?: string;
  readonly suites?: readonly string[];
  readonly suitesDir?: string;
  readonly runId: string;
  /** Subnet of the kind Docker network: a CIDR, `none` to ignore it, or undefined to ask Docker. */
  readonly kindNetwork?: string;
}

/** What `kconn plan`, `up` and `run` share: load and check the files, then plan. Throws UserInputError. */
export async function loadAndPlan(inputs: PlanInputs): Promise<{ project: LoadedProject; plan: Plan }> {
  const topologyPath = inputs.topology ?? DEFAULT_TOPOLOGY;
  const project = await loadProject([topologyPath, inputs.suitesDir ?? DEFAULT_SUITES_DIR], { crossCheck: false });
  const errors = project.diagnostics.filter(isError);
  if (errors.length) {
    throw new UserInputError([...errors.map(formatDiagnostic), `fix the ${errors.length} problem(s) above first (kconn validate shows them too)`]);
  }
  const topologies = project.topologies.filter((t) => resolve(t.source.file) === resolve(topologyPath));
  if (topologies.length !== 1) throw new UserInputError([`${topologyPath}: expected exactly one Topology document, found ${topologies.length}`]);
  const kindNetwork = inputs.kindNetwork === 'none' ? undefined : (inputs.kindNetwork ?? (await detectKindNetwork()));
  const parsedNetwork = kindNetwork === undefined ? undefined : parseCidr(kindNetwork);
  if (parsedNetwork && !parsedNetwork.ok) throw new UserInputError([`kind network ${kindNetwork}: ${parsedNetwork.reason}`]);
  try {
    const plan = planRun(topologies[0]!, project.suites, {
      runId: inputs.runId,
      ...(inputs.cni !== undefined ? { cni: inputs.cni } : {}),
      suites: inputs.suites ?? [],
      cacheDir: cacheDir(),
      stateDir: join(runsRoot(), inputs.runId),
      arch: hostArch(),
      ...(kindNetwork ? { kindNetwork } : {}),
      ...(inputs.nodeImage !== undefined ? { nodeImage: inputs.nodeImage } : {}),
    });
    return { project, plan };
  } catch (e) {
    if (e instanceof PlanError) throw new UserInputError(e.problems);
    throw e;
  }
}
