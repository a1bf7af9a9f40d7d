import { expect } from 'chai';
import { createProgress } from '../../../harness/session/progress.js';

function sink(isTTY: boolean) {
  const lines: string[] = [];
  return { stream: { isTTY, write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream & { isTTY?: boolean }, lines };
}

describe('progress lines', () => {
  const saved = { CI: process.env['CI'], NO_COLOR: process.env['NO_COLOR'] };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('plain lines with elapsed time, scope and step when not on a terminal (CI logs)', () => {
    const { stream, lines } = sink(false);
    let now = 1000;
    const p = createProgress(stream, 1000, () => now);
    now = 13_450;
    p.line('east', '[2/6] apply kube-flannel.yml v0.28.9');
    expect(lines).to.deep.equal(['[  12.4s] east: [2/6] apply kube-flannel.yml v0.28.9\n']);
  });

  it('colour on a terminal, but never when CI is set', () => {
    delete process.env['CI'];
    delete process.env['NO_COLOR'];
    const tty = sink(true);
    createProgress(tty.stream, 0, () => 500).line('main', 'ready');
    expect(tty.lines[0]).to.equal('\x1b[2m[   0.5s]\x1b[0m \x1b[36mmain\x1b[0m ready\n');
    process.env['CI'] = 'true';
    const ci = sink(true);
    createProgress(ci.stream, 0, () => 500).line('main', 'ready');
    expect(ci.lines[0]).to.equal('[   0.5s] main: ready\n');
  });
});
