import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { REPO_ROOT } from './paths.js';

/** The parts of a GitHub Actions workflow the structural tests read. */
export interface WorkflowStep {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly env?: Record<string, string>;
  readonly with?: Record<string, unknown>;
}

export interface WorkflowJob {
  readonly name?: string;
  readonly 'runs-on'?: string;
  readonly if?: string;
  readonly 'timeout-minutes'?: number;
  readonly needs?: string | string[];
  readonly strategy?: { readonly 'fail-fast'?: boolean; readonly matrix?: Record<string, unknown> };
  readonly steps: readonly WorkflowStep[];
}

/** The jobs of .github/workflows/<file>. */
export function workflowJobs(file: string): Record<string, WorkflowJob> {
  return (load(readFileSync(join(REPO_ROOT, '.github', 'workflows', file), 'utf8')) as { jobs: Record<string, WorkflowJob> }).jobs;
}

/** A step's `if`, without the `${{ }}` GitHub allows around it (`${{ always() }}` and `always()` mean the same). */
export function stepCondition(s: WorkflowStep): string | undefined {
  return s.if?.replace(/^\$\{\{\s*(.*?)\s*\}\}$/, '$1').trim();
}

/** The steps of a job whose script matches (a test usually expects exactly one). */
export function stepsRunning(job: WorkflowJob, pattern: RegExp): WorkflowStep[] {
  return job.steps.filter((s) => s.run !== undefined && pattern.test(s.run));
}
