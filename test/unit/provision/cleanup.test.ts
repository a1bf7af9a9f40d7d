import { expect } from 'chai';
import { CleanupRegistry, installSignalCleanup } from '../../../harness/provision/cleanup.js';

describe('cleanup', () => {
  it('undoes in reverse order, keeps going past a failure, and runs only once', async () => {
    const done: string[] = [];
    const c = new CleanupRegistry();
    c.add('cluster a', async () => void done.push('a'));
    c.add('cluster b', async () => {
      throw new Error('kind delete failed');
    });
    c.add('objects', async () => void done.push('objects'));
    const [first, second] = await Promise.all([c.runAll(), c.runAll()]);
    expect(done).to.deep.equal(['objects', 'a']);
    expect(first).to.deep.equal(['cleanup of cluster b failed: kind delete failed']);
    expect(second).to.equal(first);
  });

  it('an action added after cleanup ran is run at once, not lost', async () => {
    const done: string[] = [];
    const c = new CleanupRegistry();
    await c.runAll();
    c.add('late apply', async () => void done.push('late'));
    await new Promise((r) => setImmediate(r));
    expect(done).to.deep.equal(['late']);
  });

  it('finally runs after every action, told their failures, before whenDone settles (so before Ctrl-C exits)', async () => {
    const order: string[] = [];
    const c = new CleanupRegistry();
    c.add('cluster', async () => void order.push('cluster'));
    c.finally(async (failures) => void order.push(`state (${failures.length} failures)`));
    void c.whenDone().then(() => order.push('done'));
    expect(await c.runAll()).to.deep.equal([]);
    await new Promise((r) => setImmediate(r));
    expect(order).to.deep.equal(['cluster', 'state (0 failures)', 'done']);

    const seen: (readonly string[])[] = [];
    const failing = new CleanupRegistry();
    failing.add('cluster', async () => {
      throw new Error('kind delete failed');
    });
    failing.finally(async (failures) => {
      seen.push(failures);
      throw new Error('cannot remove');
    });
    expect(await failing.runAll()).to.deep.equal(['cleanup of cluster failed: kind delete failed', 'cleanup of the run state failed: cannot remove']);
    expect(seen).to.deep.equal([['cleanup of cluster failed: kind delete failed']]);
  });

  it('Ctrl-C aborts, waits for the interrupted work to clean up, then exits 130', async () => {
    const controller = new AbortController();
    const c = new CleanupRegistry();
    const order: string[] = [];
    c.add('cluster', async () => void order.push('deleted'));
    const exited = new Promise<number>((resolve) => {
      const remove = installSignalCleanup(controller, c, () => undefined, (code) => {
        remove();
        resolve(code);
      });
    });
    // The work notices the abort, finishes what it was doing, then takes the normal failure path.
    controller.signal.addEventListener('abort', () => {
      setTimeout(() => {
        order.push('work settled');
        void c.runAll();
      }, 50);
    });
    process.emit('SIGINT', 'SIGINT');
    expect(await exited).to.equal(130);
    expect(order).to.deep.equal(['work settled', 'deleted']);
  });

  it('if the work does not wind down, Ctrl-C cleans up itself after the grace period', async () => {
    const controller = new AbortController();
    const c = new CleanupRegistry();
    let deleted = false;
    c.add('cluster', async () => void (deleted = true));
    const code = await new Promise<number>((resolve) => {
      const remove = installSignalCleanup(controller, c, () => undefined, (x) => {
        remove();
        resolve(x);
      }, 100);
      process.emit('SIGTERM', 'SIGTERM');
    });
    expect(code).to.equal(143);
    expect(deleted).to.equal(true);
  });
});
