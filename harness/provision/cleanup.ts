/** Something to undo, registered the moment it is created. */
interface CleanupAction {
  readonly what: string;
  readonly run: () => Promise<void>;
}

/**
 * Undo list of a run: clusters and objects are registered as soon as they are created, and removed in reverse order
 * on failure, timeout, Ctrl-C or at the end (unless kept). Cleanup is best effort: a failing action is reported and
 * the others still run; it never hides the error that caused it. An action added after cleanup ran is run at once.
 */
export class CleanupRegistry {
  private actions: CleanupAction[] = [];
  private running: Promise<string[]> | undefined;
  private readonly late: Promise<unknown>[] = [];
  private final: ((failures: readonly string[]) => Promise<void>) | undefined;
  private resolveDone!: (failures: string[]) => void;
  private readonly done = new Promise<string[]>((r) => (this.resolveDone = r));

  constructor(private readonly log: (line: string) => void = () => undefined) {}

  add(what: string, run: () => Promise<void>): () => void {
    const action = { what, run };
    if (this.running) {
      // Something finished creating after cleanup started (e.g. an apply racing Ctrl-C): undo it too.
      this.late.push(this.runOne(action, []));
      return () => undefined;
    }
    this.actions.push(action);
    return () => {
      this.actions = this.actions.filter((a) => a !== action);
    };
  }

  /**
   * What runs once after every action, told their failures, before runAll returns and whenDone settles (the run's
   * state folder, removed only when the rest was): so Ctrl-C, which exits once whenDone settles, never skips it.
   */
  finally(run: (failures: readonly string[]) => Promise<void>): void {
    this.final = run;
  }

  get pending(): readonly string[] {
    return this.actions.map((a) => a.what);
  }

  private async runOne(a: CleanupAction, failures: string[]): Promise<void> {
    this.log(`removing ${a.what}`);
    try {
      await a.run();
    } catch (e) {
      const msg = `cleanup of ${a.what} failed: ${(e as Error).message}`;
      this.log(msg);
      failures.push(msg);
    }
  }

  /** Runs every action once (later calls wait for the same run). Returns the failures, as messages. */
  runAll(): Promise<string[]> {
    this.running ??= (async () => {
      const failures: string[] = [];
      const actions = this.actions.reverse();
      this.actions = [];
      for (const a of actions) await this.runOne(a, failures);
      await Promise.all(this.late);
      const final = this.final;
      if (final) await this.runOne({ what: 'the run state', run: () => final([...failures]) }, failures);
      this.resolveDone(failures);
      return failures;
    })();
    return this.running;
  }

  /** Settles when runAll has finished, whoever called it. */
  whenDone(): Promise<string[]> {
    return this.done;
  }
}

/** How long Ctrl-C waits for the interrupted work to wind down and clean up before it cleans up itself. */
export const INTERRUPT_GRACE_MS = 60_000;

/**
 * On the first SIGINT/SIGTERM: abort the run's work and let it wind down (an interrupted `kind create` or apply must
 * settle before its cluster is deleted, or what it creates afterwards would leak); the normal failure path then
 * cleans up. If that has not happened within the grace period, clean up anyway. Exit 130 (143 for SIGTERM).
 * A second signal exits at once, leaving what is left to `kconn prune`. Returns a function that removes the handlers.
 */
export function installSignalCleanup(
  controller: AbortController,
  cleanup: CleanupRegistry,
  log: (line: string) => void,
  exit: (code: number) => void = (c) => process.exit(c),
  graceMs = INTERRUPT_GRACE_MS,
): () => void {
  let interrupted = false;
  const handler = (signal: NodeJS.Signals): void => {
    const code = signal === 'SIGTERM' ? 143 : 130;
    if (interrupted) {
      log(`${signal} again: exiting now; run \`kconn prune\` to remove what is left`);
      exit(code);
      return;
    }
    interrupted = true;
    log(`${signal}: stopping and removing what this run created (press Ctrl-C again to exit at once)`);
    controller.abort(new Error(`interrupted by ${signal}`));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((r) => (timer = setTimeout(r, graceMs)));
    void Promise.race([cleanup.whenDone(), grace.then(() => cleanup.runAll())]).finally(() => {
      clearTimeout(timer);
      exit(code);
    });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
