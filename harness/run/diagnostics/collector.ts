import type { FailureScene } from './scene.js';

/** A file a collector produced, by its name in the test's diagnostics folder. */
export interface CollectedFile {
  readonly name: string;
  readonly content: string | Uint8Array;
}

/**
 * One kind of evidence about a failed test. Best effort: it may throw (its error is written to `<name>.error.txt`),
 * and it is cut off after its time limit; neither changes the test's verdict.
 */
export interface Collector {
  /** A safe file name stem (the error file is `<name>.error.txt`). */
  readonly name: string;
  /** Why it has nothing to do for this failure, or undefined when it runs. */
  skip?(scene: FailureScene): string | undefined;
  /** Its time limit, when it needs more than the scene's default. */
  timeoutMs?(scene: FailureScene): number;
  collect(scene: FailureScene): Promise<readonly CollectedFile[]>;
}

/** The first line of an error message, for a one-line note of what could not be read. */
export const firstLine = (e: unknown): string => ((e as Error).message ?? String(e)).split('\n')[0]!;
