import { expect } from 'chai';
import type { ProbeResult } from '../../../harness/model/probe.js';
import type { ExecResult, PodExec } from '../../../harness/probe/podExec.js';
import { runBatch } from '../../../harness/probe/probeEngine.js';
import type { ProbeRequest } from '../../../harness/probe/probeRequest.js';
import { judge } from '../../../harness/run/verdict.js';

/** A source whose batch script "printed" `stdout`; keeps the scripts it was sent. */
function canned(out: Partial<ExecResult> & { stdout: string }) {
  const scripts: string[] = [];
  const exec: PodExec = {
    source: 'fake',
    reproduce: (argv) => argv.join(' '),
    exec: async (argv) => {
      scripts.push(argv[2]!);
      return { exitCode: 0, stderr: '', ...out };
    },
  };
  return { exec, scripts };
}

const S = 1_700_000_000_000_000; // a source clock reading, µs
/**
 * A KCONN-RUN line: name, exit code, start (ms after S), duration (ms), and for a run whose own timer fired, when its
 * deadline started and when the timer woke (ms after S).
 */
const line = (name: string, rc: number, atMs: number, tookMs: number, timer?: [number, number], kernel = '_ 0') =>
  `KCONN-RUN ${name} ${rc} ${S + atMs * 1000} ${S + atMs * 1000} ${S + (atMs + tookMs) * 1000} 1 ${timer ? `${S + timer[0] * 1000} ${S + timer[1] * 1000}` : '0 0'} ${kernel} - -`;

const open: ProbeRequest = { id: 'open', spec: { kind: 'tcp', host: 'server', port: 8080, timeoutMs: 1000 } };
const dropped: ProbeRequest = { id: 'dropped', spec: { kind: 'tcp', host: 'sink', port: 8080, timeoutMs: 1000 } };
const control = { host: 'dns', port: 53 };
const blocked = { kind: 'connectivity', outcome: 'blocked' } as const;
const reachable = { kind: 'connectivity', outcome: 'reachable' } as const;
const byId = (rs: ProbeResult[]) => Object.fromEntries(rs.map((r) => [r.id, r]));

describe('probe evidence: controls, lone re-runs and timekeeping, as the engine reports them', () => {
  it('the batch carries the control first and last; a timeout that ended on time is vouched for by it', async () => {
    const { exec, scripts } = canned({
      stdout: [line('c0', 0, 0, 3), line('0', 0, 1, 4), line('1', 124, 1, 1030, [20, 1031]), line('c1', 0, 2, 3), 'KCONN-END'].join('\n'),
    });
    const r = byId(await runBatch(exec, [open, dropped], { control }));
    expect(scripts[0], 'the control times itself: no timeout around it').to.include("C=(0 0 0 0 '' -- kconn_tcp dns 53 1)");
    expect(scripts[0], 'in the batch, a direct connect, first and last').to.match(/^kconn_tgo c0 dns 53 1000000$/m).and.match(/^kconn_tgo c1 dns 53 1000000$/m);
    expect(r['dropped']).to.deep.include({ outcome: 'timeout' });
    expect(r['dropped']!.evidence).to.deep.equal({
      controls: [
        { target: 'tcp dns:53', outcome: 'connected', latencyMs: 3 },
        { target: 'tcp dns:53', outcome: 'connected', latencyMs: 3 },
      ],
      alone: false,
      lateMs: 11,
    });
    // The timer woke 11 ms late, though the attempt took 1030 ms from its start: process start does not count.
    expect(judge(blocked, r['dropped']!).status).to.equal('pass');
    expect(judge(reachable, r['open']!).status).to.equal('pass');
  });

  it('a starved batch: its controls timed out, the lone control too, so its negatives carry the failed controls', async () => {
    const { exec } = canned({
      stdout: [line('c0', 124, 0, 1002, [1, 1001]), line('0', 0, 1, 900), line('1', 124, 1, 1001, [2, 1002]), line('c1', 124, 2, 1001, [3, 1003]), 'KCONN-SKIP 1 2', line('c2', 124, 1100, 1001, [1101, 2101]), 'KCONN-END'].join('\n'),
    });
    const r = byId(await runBatch(exec, [open, dropped], { control }));
    expect(r['dropped']!.outcome, 'the probe still says what happened').to.equal('timeout');
    expect(r['dropped']!.evidence!.controls.map((c) => c.outcome)).to.deep.equal(['timeout', 'timeout', 'timeout']);
    const verdict = judge(blocked, r['dropped']!);
    expect(verdict.status).to.equal('error');
    expect(verdict.observed).to.include('source starved or broken: its control tcp dns:53 timeout');
    expect(judge(reachable, r['open']!).status, 'a connect that happened is still a connect').to.equal('pass');
  });

  it('a negative re-run alone and confirmed, between two controls', async () => {
    const { exec } = canned({
      stdout: [
        line('c0', 0, 0, 3), line('0', 0, 1, 4), line('1', 124, 1, 1700, [300, 1600]), line('c1', 0, 2, 3),
        'KCONN-LONE 1 2', line('c2', 0, 1500, 2), line('1.L', 124, 1503, 1003, [1504, 2505]), line('c3', 0, 2510, 2), 'KCONN-END',
      ].join('\n'),
    });
    const r = byId(await runBatch(exec, [open, dropped], { control }));
    expect(r['dropped']).to.deep.include({ outcome: 'timeout', attempts: 2, durationMs: 1700 + 1003 });
    expect(r['dropped']!.evidence).to.deep.include({ alone: true, lateMs: 1 });
    expect(r['dropped']!.evidence!.batch, 'its timer woke 300 ms late: re-run').to.deep.include({ outcome: 'timeout', latencyMs: 1700, lateMs: 300 });
    expect(r['dropped']!.evidence!.batch!.controls!.map((c) => c.outcome)).to.deep.equal(['connected', 'connected']);
    expect(r['dropped']!.evidence!.controls).to.have.length(2);
    expect(judge(blocked, r['dropped']!).status).to.equal('pass');
  });

  it('a negative that connects when re-run alone is reported connected, with what the batch saw', async () => {
    const { exec } = canned({
      stdout: ['KCONN-LONE 1 -', line('0', 0, 1, 4), line('1', 124, 1, 1003, [2, 1003]), line('1.L', 0, 1100, 5), 'KCONN-END'].join('\n'),
    });
    const r = byId(await runBatch(exec, [open, dropped]));
    expect(r['dropped']).to.deep.include({ outcome: 'connected' });
    expect(r['dropped']!.evidence).to.deep.include({ alone: true, controls: [], batch: { outcome: 'timeout', latencyMs: 1003, lateMs: 1, reason: 'no answer before the deadline' } });
    const verdict = judge(blocked, r['dropped']!);
    expect(verdict).to.deep.include({ status: 'fail' });
    expect(verdict.observed).to.equal('connected (timeout in the batch, connected when re-run alone)');
  });

  it('each probe has its own duration, measured in the source', async () => {
    const { exec } = canned({ stdout: [line('0', 0, 0, 12), line('1', 124, 0, 1003, [1, 1002]), 'KCONN-END'].join('\n') });
    const r = byId(await runBatch(exec, [open, dropped]));
    expect([r['open']!.durationMs, r['dropped']!.durationMs]).to.deep.equal([12, 1003]);
  });

  it('a batch of one with no control ran alone: no lone phase', async () => {
    const { exec, scripts } = canned({ stdout: [line('0', 124, 0, 1001, [1, 1001]), 'KCONN-END'].join('\n') });
    const [r] = await runBatch(exec, [dropped]);
    expect(scripts[0]).to.not.include('kconn_confirm 0');
    expect(r!.evidence).to.deep.include({ alone: true, controls: [] });
    expect(judge(blocked, r!).status).to.equal('pass');
  });

  it('KCONN-FATAL from the script is every probe’s error, with its words', async () => {
    const { exec } = canned({ exitCode: 90, stdout: 'KCONN-FATAL mktemp failed\n' });
    const rs = await runBatch(exec, [open, dropped]);
    expect(rs.map((r) => [r.outcome, r.reason])).to.deep.equal([
      ['error', 'probe script failed in the source: mktemp failed'],
      ['error', 'probe script failed in the source: mktemp failed'],
    ]);
  });

  it('only a runtime that could not start bash means "tool missing: bash"', async () => {
    const missing = canned({ exitCode: 127, stdout: '', stderr: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "bash": executable file not found in $PATH: unknown\n' });
    expect((await runBatch(missing.exec, [open]))[0]!.reason).to.equal('tool missing in the source: bash');
    const other = canned({ exitCode: 1, stdout: '', stderr: "cat: /etc/kconn: No such file or directory\n" });
    expect((await runBatch(other.exec, [open]))[0]!.reason).to.equal("probe script produced no results (exit 1): cat: /etc/kconn: No such file or directory");
    const cwd = canned({ exitCode: 126, stdout: '', stderr: 'OCI runtime exec failed: exec failed: unable to start container process: chdir to cwd ("/work") set in config.json failed: no such file or directory: unknown' });
    expect((await runBatch(cwd.exec, [open]))[0]!.reason).to.match(/^probe script produced no results \(exit 126\): OCI runtime exec failed: .*chdir to cwd/);
  });

  it("the kernel's word reaches the result: a SYN unanswered passes blocked; established in the batch, then alone, is an error", async () => {
    const { exec } = canned({
      stdout: [
        line('c0', 0, 0, 3),
        line('0', 124, 1, 1600, [20, 1620], '02 1000000'),
        line('1', 124, 1, 1030, [20, 1031], '01 0'),
        line('c1', 124, 2, 1000, [3, 1003], '02 990000'),
        'KCONN-LONE 1 2',
        line('c2', 0, 1100, 3),
        line('1.L', 124, 1110, 1030, [1111, 2111], '- 0'),
        line('c3', 0, 2200, 3),
        'KCONN-END',
      ].join('\n'),
    });
    const [syn, starved] = await runBatch(exec, [dropped, { ...dropped, id: 'starved' }], { control });
    expect(syn!.evidence!.connect).to.deep.equal({ state: 'syn-sent', synUnansweredMs: 1000 });
    expect(syn!.evidence!.lateMs, 'late by its timer, and the kernel still says it').to.equal(600);
    // The batch's second control timed out, and says why.
    expect(syn!.evidence!.controls[1]).to.deep.equal({ target: 'tcp dns:53', outcome: 'timeout', latencyMs: 1000, reason: 'no answer before the deadline', connect: { state: 'syn-sent', synUnansweredMs: 990 } });
    expect(judge(blocked, syn!).status, 'a failed control comes first').to.equal('error');
    expect(starved!.evidence!.batch!.connect).to.deep.equal({ state: 'established' });
    expect(starved!.evidence!.connect).to.deep.equal({ state: 'no-socket' });
    expect(judge(blocked, starved!)).to.deep.include({ status: 'error' });
    expect(judge(blocked, starved!).observed).to.match(/source starved: at the deadline the connect had not started/);
  });
});
