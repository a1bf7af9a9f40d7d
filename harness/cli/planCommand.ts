import type { CommandIO } from '../session/commandIO.js';
import { loadAndPlan, UserInputError } from '../session/loadAndPlan.js';
import { renderPlanText } from './renderPlan.js';

export interface PlanCommandOptions {
  readonly topology?: string;
  readonly cni?: string;
  /** --node-image: a kind node image for every cluster (validated when planning). */
  readonly nodeImage?: string;
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
  try {
    const { plan } = await loadAndPlan({
      ...(opts.topology !== undefined ? { topology: opts.topology } : {}),
      ...(opts.cni !== undefined ? { cni: opts.cni } : {}),
      ...(opts.nodeImage !== undefined ? { nodeImage: opts.nodeImage } : {}),
      suites: opts.suite ?? [],
      ...(opts.suitesDir !== undefined ? { suitesDir: opts.suitesDir } : {}),
      runId: opts.runId ?? 'plan',
      ...(opts.kindNetwork !== undefined ? { kindNetwork: opts.kindNetwork } : {}),
    });
    io.out(output === 'json' ? JSON.stringify(plan, null, 2) : renderPlanText(plan));
    return 0;
  } catch (e) {
    if (e instanceof UserInputError) {
      for (const p of e.problems) io.err(p);
      return 1;
    }
    throw e;
  }
}
