import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execaHostCommand } from '../../harness/provision/hostCommand.js';

/** The host command runner of exec steps, with real processes: nothing can wait for input, and Ctrl-C stops it. */
describe('host commands of exec steps (real processes)', function () {
  this.timeout(20_000);
  const cwd = join(mkdtempSync(join(tmpdir(), 'kconn-host-')), 'work');

  it('runs in its folder (created), with stdin closed: a prompt reads end-of-file at once instead of waiting', async () => {
    const started = Date.now();
    const lines: string[] = [];
    const r = await execaHostCommand('bash', ['-c', 'pwd; echo asking >&2; if read -r answer; then echo "got $answer"; else echo "no input"; exit 3; fi'], {
      cwd, timeoutMs: 10_000, signal: new AbortController().signal, onLine: (l) => lines.push(l),
    });
    expect(Date.now() - started).to.be.lessThan(5_000);
    expect(r).to.deep.include({ ok: false, exitCode: 3, stdout: `${cwd}\nno input`, stderr: 'asking' });
    expect(lines).to.deep.equal(['asking']);
  });

  it('an abort (Ctrl-C) stops the command; a timeout says so', async () => {
    const controller = new AbortController();
    const pending = execaHostCommand('sleep', ['30'], { cwd, timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('interrupted by SIGINT')), 200);
    const started = Date.now();
    const r = await pending;
    expect(r.ok).to.equal(false);
    expect(Date.now() - started).to.be.lessThan(10_000);
    const slow = await execaHostCommand('sleep', ['30'], { cwd, timeoutMs: 300, signal: new AbortController().signal });
    expect(slow.ok).to.equal(false);
    expect(slow.message).to.match(/timed out/i);
  });
});
