import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { buildBatchScript, SCRIPT_TOOLS, type ScriptEntry, type ScriptOptions } from '../../../harness/probe/batchScript.js';
import { BatchOutputError, parseBatchOutput } from '../../../harness/probe/parseBatchOutput.js';

// The generated batch script run for real under the local bash (>= 5.1), with fake probes (bash one-liners) instead
// of curl or dig: what the Docker tests prove in containers, here in milliseconds, so a mutant of the script's text
// (an exit code not kept, a pattern not matched, a lone re-run skipped) fails a unit test. Built inside each `it`.
const BASH = spawnSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout.trim();
const fake = (body: string): string[] => ['bash', '-c', body];
const runScript = (entries: ScriptEntry[], opts: ScriptOptions, env: NodeJS.ProcessEnv = process.env) => {
  const r = spawnSync(BASH, ['-c', buildBatchScript(entries, opts)], { encoding: 'utf8', env: { TMPDIR: tmpdir(), ...env }, timeout: 20_000 });
  return { status: r.status, out: parseBatchOutput(r.stdout), stdout: r.stdout, stderr: r.stderr };
};
const noLone: ScriptOptions = { cap: 4, lonePhase: false, maxLateMs: 250 };

describe('batch script under a local bash', () => {
  it('runs every probe and reports its exit code, output and one attempt', () => {
    const { status, out, stderr } = runScript(
      [
        { index: 0, deadlineSeconds: 5, argv: fake('echo hello; echo oops >&2') },
        { index: 1, deadlineSeconds: 0, argv: fake('printf "%s" "$0"; exit 3') },
        { index: 2, deadlineSeconds: 5, argv: fake('exit 0') },
      ],
      { ...noLone, cap: 1 },
    );
    expect(status).to.equal(0);
    expect(stderr, 'the script itself writes no errors').to.equal('');
    expect(out.complete).to.equal(true);
    expect(out.missing).to.deep.equal([]);
    expect(out.runs.get(0)).to.deep.include({ exitCode: 0, stdout: 'hello\n', stderr: 'oops\n', attempts: 1 });
    expect(out.runs.get(1)).to.deep.include({ exitCode: 3, stdout: 'bash', stderr: '', attempts: 1 });
    expect(out.runs.get(2)).to.deep.include({ exitCode: 0, stdout: '', stderr: '' });
    for (const run of out.runs.values()) {
      expect(run.startUs).to.be.at.least(run.firstStartUs);
      expect(run.endUs).to.be.at.least(run.startUs);
      expect(run.deadlineStartUs).to.equal(undefined);
    }
  });

  it('a hard deadline ends the probe with timeout\'s exit 124', () => {
    const { out } = runScript([{ index: 0, deadlineSeconds: 1, argv: ['sleep', '5'] }], noLone);
    expect(out.runs.get(0)!.exitCode).to.equal(124);
  });

  it('keeps at most 64 KiB of each stream', () => {
    const { out } = runScript([{ index: 0, deadlineSeconds: 5, argv: fake('head -c 70000 /dev/zero | tr "\\0" x') }], noLone);
    expect(out.runs.get(0)!.stdout).to.equal('x'.repeat(65536));
  });

  it('until: polls until the exit code is in the set and every stdout and stderr pattern matches', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kconn-until-'));
    try {
      // Attempt n prints "try n"; from the third on it exits 0, from the fourth on it also says "ready" on stderr.
      const counting = fake(`n=$(( $(cat "$0" 2>/dev/null || echo 0) + 1 )); echo $n >"$0"; echo "try $n"; [ $n -ge 4 ] && echo ready >&2; [ $n -ge 3 ]`);
      const entry = (index: number, stdout: string[] | undefined, stderr: string[] | undefined, codes = [0]): ScriptEntry => ({
        index,
        deadlineSeconds: 5,
        argv: [...counting, join(dir, String(index))],
        until: { withinMs: 3000, intervalMs: 10, condition: { codes, ...(stdout ? { stdout } : {}), ...(stderr ? { stderr } : {}) } },
      });
      const { out } = runScript(
        [entry(0, [], []), entry(1, ['^try [0-9]$'], ['ready']), entry(2, ['try 2'], [], [1]), entry(3, undefined, undefined), entry(4, undefined, undefined, [2, 1])],
        noLone,
      );
      expect(out.runs.get(0)).to.deep.include({ exitCode: 0, attempts: 3, stdout: 'try 3\n' });
      expect(out.runs.get(1)).to.deep.include({ exitCode: 0, attempts: 4, stdout: 'try 4\n', stderr: 'ready\n' });
      expect(out.runs.get(2)).to.deep.include({ exitCode: 1, attempts: 2 });
      // A condition on the exit code alone; and a set of several codes, any of which ends the poll.
      expect(out.runs.get(3)).to.deep.include({ exitCode: 0, attempts: 3 });
      expect(out.runs.get(4)).to.deep.include({ exitCode: 1, attempts: 1 });
      expect(out.runs.get(0)!.startUs).to.be.greaterThan(out.runs.get(0)!.firstStartUs);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('until: gives up when the time is up, keeping the last attempt', () => {
    const { out } = runScript([{ index: 0, deadlineSeconds: 5, argv: fake('exit 7'), until: { withinMs: 300, intervalMs: 100, condition: { codes: [0] } } }], noLone);
    const run = out.runs.get(0)!;
    expect(run.exitCode).to.equal(7);
    expect(run.attempts).to.be.within(2, 4);
  });

  it('lone phase: a negative is re-run alone between two control runs; a positive is not', () => {
    const { out } = runScript(
      [
        { index: 0, deadlineSeconds: 5, argv: fake('exit 1'), confirm: { negative: [1], timeout: [124], waitMs: 1000 } },
        { index: 1, deadlineSeconds: 5, argv: fake('exit 0'), confirm: { negative: [1], timeout: [124], waitMs: 1000 } },
        { index: 2, deadlineSeconds: 5, argv: fake('exit 2'), confirm: { negative: [1], timeout: [124], waitMs: 1000 } },
      ],
      { cap: 4, lonePhase: true, maxLateMs: 250, control: { deadlineSeconds: 5, argv: fake('echo ctl'), fastUs: 5_000_000 } },
    );
    expect([...out.controls.keys()].sort()).to.deep.equal([0, 1, 2, 3]);
    expect(out.controls.get(0)).to.deep.include({ exitCode: 0, stdout: 'ctl\n' });
    expect([...out.lone.keys()]).to.deep.equal([0]);
    expect(out.lone.get(0)!.controlBefore).to.equal(2);
    expect(out.lone.get(0)!.run).to.deep.include({ exitCode: 1, attempts: 1 });
    expect(out.skipped.size).to.equal(0);
  });

  it('lone phase without control: re-run alone, no control before it', () => {
    const { out, stderr } = runScript(
      [
        { index: 4, deadlineSeconds: 5, argv: fake('exit 1'), confirm: { negative: [1], timeout: [], waitMs: 1000 } },
        // No confirmation codes (a probe whose every result is final): never re-run.
        { index: 5, deadlineSeconds: 5, argv: fake('exit 1') },
      ],
      { ...noLone, lonePhase: true },
    );
    expect(stderr, 'the script itself writes no errors').to.equal('');
    expect(out.lone.get(4)).to.not.have.property('controlBefore');
    expect(out.lone.get(4)!.run!.exitCode).to.equal(1);
    expect([...out.lone.keys()]).to.deep.equal([4]);
    expect(out.runs.get(5)!.exitCode).to.equal(1);
    expect(out.controls.size).to.equal(0);
  });

  it('a lone re-run runs once, even for a probe that polls until', () => {
    const { out } = runScript(
      [{ index: 0, deadlineSeconds: 5, argv: fake('exit 1'), until: { withinMs: 300, intervalMs: 50, condition: { codes: [0] } }, confirm: { negative: [1], timeout: [], waitMs: 1000 } }],
      { ...noLone, lonePhase: true },
    );
    expect(out.runs.get(0)!.attempts).to.be.greaterThan(1);
    expect(out.lone.get(0)!.run!.attempts).to.equal(1);
  });

  it('a control that fails alone stops the lone phase: the negatives are skipped, naming that control', () => {
    const { out } = runScript(
      [
        { index: 0, deadlineSeconds: 5, argv: fake('exit 1'), confirm: { negative: [1], timeout: [], waitMs: 1000 } },
        { index: 1, deadlineSeconds: 5, argv: fake('exit 1'), confirm: { negative: [1], timeout: [], waitMs: 1000 } },
      ],
      { cap: 4, lonePhase: true, maxLateMs: 250, control: { deadlineSeconds: 5, argv: fake('exit 9'), fastUs: 5_000_000 } },
    );
    expect(out.skipped).to.deep.equal(new Map([[0, 2], [1, 2]]));
    expect(out.lone.size).to.equal(0);
    expect([...out.controls.keys()].sort()).to.deep.equal([0, 1, 2]);
    expect(out.controls.get(2)!.exitCode).to.equal(9);
  });

  it('a timeout the batch vouches for (controls answered, ended on time) is not re-run; a late one is', () => {
    const timing = (waitMs: number): ScriptEntry['confirm'] => ({ negative: [124], timeout: [124], waitMs });
    const { out } = runScript(
      [
        // Took its 1 s wait, give or take process start: vouched for with a generous lateness allowance.
        { index: 0, deadlineSeconds: 1, argv: ['sleep', '5'], confirm: timing(1000) },
        // Ended long before the 60 s its tool would wait: not a timeout of that tool, re-run alone.
        { index: 1, deadlineSeconds: 1, argv: ['sleep', '5'], confirm: timing(60_000) },
      ],
      { cap: 4, lonePhase: true, maxLateMs: 3000, control: { deadlineSeconds: 5, argv: fake('exit 0'), fastUs: 5_000_000 } },
    );
    expect(out.runs.get(0)!.exitCode).to.equal(124);
    expect(out.lone.has(0), 'vouched').to.equal(false);
    expect(out.lone.get(1)!.run!.exitCode).to.equal(124);
  });

  it('the work directory is removed when the script ends', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'kconn-tmp-'));
    try {
      const { out } = runScript([{ index: 0, deadlineSeconds: 5, argv: fake('echo hi; echo err >&2') }], noLone, { ...process.env, TMPDIR: tmp });
      expect(out.runs.get(0)).to.deep.include({ stdout: 'hi\n', stderr: 'err\n' });
      expect(readdirSync(tmp)).to.deep.equal([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('probes run in the C locale (English messages for the classifiers, byte-wise patterns), whatever the caller\'s', () => {
    const { out } = runScript(
      [
        { index: 0, deadlineSeconds: 5, argv: fake('printf "%s" "$LC_ALL"') },
        // "é" is two bytes: `^..$` matches it only byte-wise.
        { index: 1, deadlineSeconds: 5, argv: fake('printf "\\303\\251\\n"'), until: { withinMs: 2000, intervalMs: 10, condition: { codes: [0], stdout: ['^..$'] } } },
      ],
      noLone,
      { ...process.env, LC_ALL: 'C.UTF-8' },
    );
    expect(out.runs.get(0)!.stdout).to.equal('C');
    expect(out.runs.get(1)).to.deep.include({ stdout: 'é\n', attempts: 1 });
  });

  it('cap: never more probes in flight than the slots', () => {
    const inFlight = (cap: number, count: number): number => {
      const entries = Array.from({ length: count }, (_, index): ScriptEntry => ({ index, deadlineSeconds: 5, argv: ['sleep', '0.2'] }));
      const runs = [...runScript(entries, { ...noLone, cap }).out.runs.values()];
      expect(runs).to.have.length(count);
      // The most runs in flight at the start of any run.
      return Math.max(...runs.map((r) => runs.filter((o) => o.startUs <= r.startUs && r.startUs < o.endUs).length));
    };
    expect(inFlight(1, 3)).to.equal(1);
    expect(inFlight(2, 4)).to.equal(2);
  });

  it("a timeout is judged by the probe's own timer notes (fd 9) when it writes them, not by its process's lifetime", () => {
    // Exits at once, but its timer says it waited its full second: the batch vouches for it, no lone re-run.
    const noted = fake('echo 100.000000 >&9; echo 101.000000 >&9; exit 124');
    // Same, without notes: a "timeout" after a few milliseconds is not its tool's wait, so it is re-run alone.
    const unnoted = fake('exit 124');
    const confirm = { negative: [124], timeout: [124], waitMs: 1000 };
    const { out } = runScript(
      [
        { index: 0, deadlineSeconds: 5, argv: noted, confirm },
        { index: 1, deadlineSeconds: 5, argv: unnoted, confirm },
      ],
      { cap: 4, lonePhase: true, maxLateMs: 250, control: { deadlineSeconds: 5, argv: fake('exit 0'), fastUs: 5_000_000 } },
    );
    expect(out.runs.get(0)).to.deep.include({ exitCode: 124, deadlineStartUs: 100_000_000, deadlineEndUs: 101_000_000 });
    expect(out.lone.has(0), 'vouched by its timer').to.equal(false);
    expect(out.lone.get(1)!.run!.exitCode).to.equal(124);
  });

  it("the kernel's word on a connect decides a timeout: a SYN unanswered for 90% of the wait stands, any other state is re-run alone", () => {
    const noted = (k: string) => fake(`echo 100.000000 >&9; echo 101.000000 >&9; echo "${k}" >&9; exit 124`);
    const confirm = { negative: [124], timeout: [124], waitMs: 1000 };
    const entries: ScriptEntry[] = ['K 02 950000', 'K 02 880000', 'K 02 500000', 'K 01 0', 'K - 0', 'K ? 0'].map((k, index) => ({ index, deadlineSeconds: 5, argv: noted(k), confirm }));
    const fast = runScript(entries, { cap: 8, lonePhase: true, maxLateMs: 250, control: { deadlineSeconds: 5, argv: fake('exit 0'), fastUs: 5_000_000 } }).out;
    expect(fast.runs.get(0)!.connect).to.deep.equal({ state: '02', synAgeUs: 950_000 });
    // 950 ms and 880 ms (90% of 1 s less 20 ms) stand; 500 ms (a SYN sent late), an established connection and no
    // socket yet are a starved source's: re-run alone. "?" (no word) falls back to the timer: on time, vouched.
    expect([0, 1, 2, 3, 4, 5].map((i) => fast.lone.has(i))).to.deep.equal([false, false, true, true, true, false]);
    // Slow controls (never within 0 µs): the kernel's word still stands, the timer's no longer does.
    const slow = runScript(entries, { cap: 8, lonePhase: true, maxLateMs: 250, control: { deadlineSeconds: 5, argv: fake('sleep 0.01'), fastUs: 0 } }).out;
    expect([0, 1, 2, 3, 4, 5].map((i) => slow.lone.has(i))).to.deep.equal([false, false, true, true, true, true]);
    // A control that did not answer vouches for nothing.
    const failed = runScript(entries.slice(0, 1), { cap: 8, lonePhase: true, maxLateMs: 250, control: { deadlineSeconds: 5, argv: fake('exit 1'), fastUs: 5_000_000 } }).out;
    expect(failed.skipped.get(0), 'not vouched, and not re-run: the lone control failed too').to.equal(2);
  });

  it('a missing helper tool stops the script before any probe (exit 91), naming it', () => {
    const bin = mkdtempSync(join(tmpdir(), 'kconn-bin-'));
    try {
      for (const tool of SCRIPT_TOOLS.filter((t) => t !== 'base64')) {
        const path = spawnSync(BASH, ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
        symlinkSync(path, join(bin, tool));
      }
      const { status, out } = runScript([{ index: 0, deadlineSeconds: 5, argv: ['true'] }], noLone, { PATH: bin });
      expect(status).to.equal(91);
      expect(out.missing).to.deep.equal(['base64']);
      expect(out.runs.size).to.equal(0);
      expect(out.complete).to.equal(false);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('the preflight checks exactly these tools', () => {
    expect(SCRIPT_TOOLS).to.deep.equal(['timeout', 'mktemp', 'base64', 'grep', 'head', 'tr', 'sleep']);
  });

  it('the parser refuses a run line with a field too many or too few, or a connect state that is not one', () => {
    const line = 'KCONN-RUN 0 0 1 1 2 1 0 0 _ 0 - -';
    expect(parseBatchOutput(`${line}\nKCONN-END\n`).runs.get(0)).to.deep.include({ exitCode: 0, endUs: 2 });
    expect(parseBatchOutput(`${line}\n`).runs.get(0)!.connect).to.equal(undefined);
    expect(parseBatchOutput('KCONN-RUN 0 124 1 1 2 1 1 2 02 990000 - -\n').runs.get(0)!.connect).to.deep.equal({ state: '02', synAgeUs: 990_000 });
    expect(parseBatchOutput('KCONN-RUN 0 124 1 1 2 1 1 2 - 0 - -\n').runs.get(0)!.connect).to.deep.equal({ state: '-', synAgeUs: 0 });
    expect(parseBatchOutput('KCONN-RUN 0 124 1 1 2 1 1 2 ? 0 - -\n').runs.get(0)!.connect).to.deep.equal({ state: '?', synAgeUs: 0 });
    for (const bad of ['KCONN-RUN 0 124 1 1 2 1 1 2 2 0 - -', 'KCONN-RUN 0 124 1 1 2 1 1 2 02 x - -', 'KCONN-RUN 0 124 1 1 2 1 1 2 0g 0 - -']) {
      expect(() => parseBatchOutput(`${bad}\n`), bad).to.throw(BatchOutputError, /malformed probe line/);
    }
    expect(() => parseBatchOutput(`${line} -\n`)).to.throw(BatchOutputError, /malformed probe line/);
    expect(() => parseBatchOutput(`${line.slice(0, -2)}\n`)).to.throw(BatchOutputError, /malformed probe line/);
  });
});
