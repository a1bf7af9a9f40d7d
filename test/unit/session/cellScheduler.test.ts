import { expect } from 'chai';
import { scheduleCells } from '../../../harness/session/cellScheduler.js';

/** Cells that each finish when the test says so; records the order of starts and what ran at once. */
function harness(nodes: readonly number[]) {
  const items = nodes.map((n, i) => ({ name: `c${i}`, nodes: n }));
  const started: string[] = [];
  const finishers = new Map<string, (error?: Error) => void>();
  const run = (item: { name: string }): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      started.push(item.name);
      finishers.set(item.name, (error) => (error ? reject(error) : resolve()));
    });
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
  const finish = async (name: string, error?: Error): Promise<void> => {
    finishers.get(name)!(error);
    await tick();
    await tick();
  };
  return { items, started, run, finish, tick };
}

describe('kconn matrix: the cell scheduler (harness/session/cellScheduler.ts)', () => {
  it('at most N cells at once; the next starts as soon as one ends', async () => {
    const h = harness([1, 1, 1, 1, 1]);
    const done = scheduleCells(h.items, { cells: 2 }, h.run);
    await h.tick();
    expect(h.started).to.deep.equal(['c0', 'c1']);
    await h.finish('c1');
    expect(h.started).to.deep.equal(['c0', 'c1', 'c2']);
    await h.finish('c0');
    await h.finish('c2');
    expect(h.started).to.deep.equal(['c0', 'c1', 'c2', 'c3', 'c4']);
    await h.finish('c3');
    await h.finish('c4');
    expect(await done).to.deep.equal({ maxCells: 2, maxNodes: 2 });
  });

  it('the node budget: never more nodes at once; a smaller later cell fills the room (first fit)', async () => {
    const h = harness([3, 3, 1, 2]);
    const done = scheduleCells(h.items, { cells: 10, nodes: 4 }, h.run);
    await h.tick();
    expect(h.started).to.deep.equal(['c0', 'c2']);
    await h.finish('c2');
    expect(h.started).to.deep.equal(['c0', 'c2']);
    await h.finish('c0');
    expect(h.started).to.deep.equal(['c0', 'c2', 'c1']);
    await h.finish('c1');
    await h.finish('c3');
    expect(await done).to.deep.equal({ maxCells: 2, maxNodes: 4 });
  });

  it('a budget of exactly the nodes fits; a cell larger than the whole budget runs alone rather than never', async () => {
    const h = harness([2, 2, 5]);
    const done = scheduleCells(h.items, { cells: 3, nodes: 4 }, h.run);
    await h.tick();
    expect(h.started).to.deep.equal(['c0', 'c1']);
    await h.finish('c0');
    expect(h.started).to.deep.equal(['c0', 'c1']);
    await h.finish('c1');
    expect(h.started).to.deep.equal(['c0', 'c1', 'c2']);
    await h.finish('c2');
    expect(await done).to.deep.equal({ maxCells: 2, maxNodes: 5 });
  });

  it('a parallelism below one is one; nothing to run resolves at once', async () => {
    const h = harness([1, 1]);
    const done = scheduleCells(h.items, { cells: 0 }, h.run);
    await h.tick();
    expect(h.started).to.deep.equal(['c0']);
    await h.finish('c0');
    await h.finish('c1');
    expect(await done).to.deep.equal({ maxCells: 1, maxNodes: 1 });
    expect(await scheduleCells([], { cells: 2 }, h.run)).to.deep.equal({ maxCells: 0, maxNodes: 0 });
  });

  it('a cell that fails does not stop the others; the first error comes after every cell ended', async () => {
    const h = harness([1, 1, 1]);
    let outcome: unknown = 'pending';
    const done = scheduleCells(h.items, { cells: 1 }, h.run).then(
      () => (outcome = 'resolved'),
      (e: Error) => (outcome = e.message),
    );
    await h.tick();
    await h.finish('c0', new Error('first'));
    expect(h.started).to.deep.equal(['c0', 'c1']);
    await h.finish('c1', new Error('second'));
    expect(outcome).to.equal('pending');
    await h.finish('c2');
    await done;
    expect(outcome).to.equal('first');
  });

  it('a run that throws synchronously is a failed cell, too; the index is passed', async () => {
    const seen: number[] = [];
    const err = await scheduleCells([{ nodes: 1 }, { nodes: 1 }], { cells: 2 }, (_item, i) => {
      seen.push(i);
      if (i === 0) throw new Error('sync');
      return Promise.resolve();
    }).catch((e: Error) => e.message);
    expect(err).to.equal('sync');
    expect(seen).to.deep.equal([0, 1]);
  });
});
