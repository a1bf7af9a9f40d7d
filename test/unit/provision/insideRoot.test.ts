import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { assertInside, OutsideRootError, removeEmptyDirInside, removeInside } from '../../../harness/provision/insideRoot.js';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('assertInside / removeInside (the guard in front of every rm)', () => {
  let base: string;
  let root: string;
  let outside: string;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'kconn-inside-'));
    root = join(base, 'state', 'runs');
    outside = join(base, 'victim');
    mkdirSync(root, { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'precious'), 'keep me');
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('accepts a child of the root, existing or not', async () => {
    mkdirSync(join(root, 'abc'));
    await assertInside(root, join(root, 'abc'));
    await assertInside(root, join(root, 'notyet', 'deeper'));
  });

  it('refuses the root itself, parents, siblings, absolute paths and .. segments', async () => {
    for (const p of [root, join(root, '..'), join(root, '..', '..', 'victim'), join(root, 'abc', '..', '..', 'x'), outside, '/', '/etc', `${root}x`]) {
      const e = await rejection(assertInside(root, p));
      expect(e, p).to.be.instanceOf(OutsideRootError);
      expect(e.message).to.include(`refusing to remove ${p}`).and.include(`kconn only removes what lies inside ${root}`);
    }
  });

  it('follows symbolic links: a run folder that links outside is outside, and removeInside leaves the target alone', async () => {
    symlinkSync(outside, join(root, 'abc'));
    const e = await rejection(removeInside(root, join(root, 'abc')));
    expect(e).to.be.instanceOf(OutsideRootError);
    expect(e.message).to.include(`it resolves to ${outside} (through a symbolic link)`);
    expect(existsSync(join(outside, 'precious'))).to.equal(true);
    // A path below such a link is outside too.
    expect(await rejection(removeInside(root, join(root, 'abc', 'precious')))).to.be.instanceOf(OutsideRootError);
    expect(existsSync(join(outside, 'precious'))).to.equal(true);
  });

  it('a root reached through a symbolic link is still the root (e.g. ~/.local/state on another disk)', async () => {
    const alias = join(base, 'alias');
    symlinkSync(root, alias);
    mkdirSync(join(root, 'abc'));
    writeFileSync(join(root, 'abc', 'state.json'), '{}');
    await removeInside(alias, join(alias, 'abc'));
    expect(existsSync(join(root, 'abc'))).to.equal(false);
    expect(existsSync(root)).to.equal(true);
  });

  it('removeInside removes a tree inside the root; removeEmptyDirInside only an empty folder inside it', async () => {
    mkdirSync(join(root, 'abc', 'main'), { recursive: true });
    writeFileSync(join(root, 'abc', 'main', 'kubeconfig'), 'x');
    await removeInside(root, join(root, 'abc'));
    expect(existsSync(join(root, 'abc'))).to.equal(false);
    await removeInside(root, join(root, 'gone')); // nothing there: like rm -f

    mkdirSync(join(root, 'empty'));
    await removeEmptyDirInside(root, join(root, 'empty'));
    expect(existsSync(join(root, 'empty'))).to.equal(false);
    expect(await rejection(removeEmptyDirInside(root, root))).to.be.instanceOf(OutsideRootError);
    expect(existsSync(root)).to.equal(true);
  });
});
