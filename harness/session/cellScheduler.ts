/**
 * The scheduling of a matrix, apart from what a cell does: which cell starts when. Pure apart from the promises it
 * awaits, so `kconn matrix` and bench/matrixScheduler.bench.ts run the same code.
 */

/** How much may run at once: cells, and (when given) kind nodes summed over the running cells. */
export interface CellLimits {
  readonly cells: number;
  /** The machine's node budget; absent: only `cells` limits. */
  readonly nodes?: number;
}

/** What the schedule reached: the most cells and the most nodes that ran at the same time. */
export interface ScheduleStats {
  readonly maxCells: number;
  readonly maxNodes: number;
}

/**
 * Runs `run` once for every item. An item starts as soon as it fits: fewer than `limits.cells` items running and,
 * with `limits.nodes`, its nodes within what the running items leave of the budget. Items are tried in order and
 * the first that fits starts (first fit), so a small cell fills room a larger one cannot use yet; an item larger
 * than the whole budget runs alone (rather than never). Waits for every item even when one rejects, then rejects with the
 * first error (nothing is left running behind the caller's back).
 */
export function scheduleCells<T extends { readonly nodes: number }>(items: readonly T[], limits: CellLimits, run: (item: T, index: number) => Promise<void>): Promise<ScheduleStats> {
  const maxCellsAllowed = Math.max(1, Math.floor(limits.cells));
  const pending = items.map((item, index) => ({ item, index }));
  let cells = 0;
  let nodes = 0;
  let maxCells = 0;
  let maxNodes = 0;
  let settled = 0;
  let failure: { error: unknown } | undefined;
  return new Promise<ScheduleStats>((resolve, reject) => {
    const finish = (): void => (failure ? reject(failure.error) : resolve({ maxCells, maxNodes }));
    const fits = (n: number): boolean => cells === 0 || (cells < maxCellsAllowed && (limits.nodes === undefined || nodes + n <= limits.nodes));
    const pump = (): void => {
      for (let i = 0; i < pending.length && cells < maxCellsAllowed; ) {
        const next = pending[i]!;
        if (!fits(next.item.nodes)) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        cells++;
        nodes += next.item.nodes;
        maxCells = Math.max(maxCells, cells);
        maxNodes = Math.max(maxNodes, nodes);
        Promise.resolve()
          .then(() => run(next.item, next.index))
          .catch((error: unknown) => {
            failure ??= { error };
          })
          .finally(() => {
            cells--;
            nodes -= next.item.nodes;
            settled++;
            if (settled === items.length) finish();
            else pump();
          });
      }
    };
    if (items.length === 0) finish();
    else pump();
  });
}
