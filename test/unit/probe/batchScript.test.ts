import { expect } from 'chai';
import { batchScriptBytes, buildBatchScript, entryScriptBytes, type ScriptEntry, type ScriptOptions } from '../../../harness/probe/batchScript.js';
import { BatchOutputError, parseBatchOutput } from '../../../harness/probe/parseBatchOutput.js';
import { shellJoin, shellQuote } from '../../../harness/probe/shellQuote.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const opts: ScriptOptions = { cap: 4, lonePhase: true, maxLateMs: 250 };

describe('batch script', () => {
  it('quotes words for a POSIX shell', () => {
    expect(shellQuote('server')).to.equal('server');
    expect(shellQuote('')).to.equal("''");
    expect(shellQuote("it's")).to.equal(`'it'\\''s'`);
    expect(shellQuote('$(id)')).to.equal("'$(id)'");
    expect(shellJoin(['curl', '-w', '%{http_code} x'])).to.equal("curl -w '%{http_code} x'");
  });

  it('puts values only in quoted arguments, never in the script text', () => {
    const script = buildBatchScript([{ index: 0, deadlineSeconds: 2, argv: ['printf', '%s', '$(reboot)'] }], opts);
    expect(script).to.include(`E0=(2 0 0 0 '' -- printf %s '$(reboot)'); kconn_go kconn_probe 0 "\${E0[@]}"`);
    expect(script.split('\n').filter((l) => l.includes('$(reboot)'))).to.have.length(1);
  });

  it('passes until conditions and confirmation codes as data', () => {
    const script = buildBatchScript(
      [
        {
          index: 3,
          deadlineSeconds: 1,
          argv: ['dig', 'x'],
          until: { withinMs: 5000, intervalMs: 250, condition: { codes: [0], stdout: ['status: NXDOMAIN'] } },
          confirm: { negative: [9, 124], timeout: [9, 124], waitMs: 1000 },
        },
      ],
      opts,
    );
    expect(script).to.include(`E3=(1 5000000 250000 0.25 0 o 'status: NXDOMAIN' -- dig x); kconn_go kconn_probe 3 "\${E3[@]}"`);
    expect(script).to.include(`kconn_confirm 3 '9 124' '9 124' 1000000 -- "\${E3[@]}"`);
  });

  it('caps the probes in flight, the control first and last', () => {
    const control = { deadlineSeconds: 2, argv: ['bash', '-c', 'x', 'dns', '53'], fastUs: 1000 };
    const confirm = { negative: [1], timeout: [], waitMs: 1 };
    const script = buildBatchScript([{ index: 0, deadlineSeconds: 2, argv: ['true'], confirm }], { ...opts, cap: 12, control });
    expect(script).to.match(/^kconn_n=0; kconn_cap=12; /m);
    expect(script, 'vouching: answered, and answered fast').to.include('kconn_ok c0 && kconn_ok c1 && kconn_answered=1').and.include('kconn_fast c0 1000 && kconn_fast c1 1000 && kconn_vouch=1');
    const lines = script.split('\n');
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle));
    expect(at('kconn_probe c0')).to.be.greaterThan(-1).and.lessThan(at('kconn_probe 0 '));
    expect(at('kconn_probe c1')).to.be.greaterThan(at('kconn_probe 0 ')).and.lessThan(at('kconn_confirm 0'));
    // Without a lone phase (one probe, no control), nothing is re-run.
    expect(buildBatchScript([{ index: 0, deadlineSeconds: 2, argv: ['true'], confirm }], { ...opts, lonePhase: false })).to.not.include('kconn_confirm 0');
  });

  it('reads runs, lone re-runs, skips and controls back, decoding output', () => {
    const out = [
      'noise from a profile script',
      `KCONN-RUN 0 0 1700000000000000 1700000000000000 1700000000015000 1 0 0 _ 0 ${b64('hello\n')} -`,
      `KCONN-RUN 2 7 1 1 2 3 0 0 _ 0 - ${b64('curl: (7) refused')}`,
      'KCONN-RUN 4 124 10 10 1000020 1 15 1000016 _ 0 - -',
      'KCONN-LONE 4 2',
      'KCONN-RUN 4.L 0 2000000 2000000 2000100 1 0 0 _ 0 - -',
      'KCONN-SKIP 5 3',
      'KCONN-RUN c0 0 1 1 2 1 0 0 _ 0 - -',
      'KCONN-RUN c3 124 5 5 1000005 1 6 1000007 _ 0 - -',
      'KCONN-END',
    ].join('\n');
    const parsed = parseBatchOutput(out);
    expect(parsed.complete).to.equal(true);
    expect(parsed.runs.get(0)).to.deep.equal({ exitCode: 0, firstStartUs: 1700000000000000, startUs: 1700000000000000, endUs: 1700000000015000, attempts: 1, stdout: 'hello\n', stderr: '' });
    expect(parsed.runs.get(2)).to.deep.include({ exitCode: 7, attempts: 3, stderr: 'curl: (7) refused' });
    expect(parsed.runs.get(4)).to.deep.include({ exitCode: 124, deadlineStartUs: 15, deadlineEndUs: 1000016 });
    expect(parsed.lone.get(4)).to.deep.equal({ controlBefore: 2, run: { exitCode: 0, firstStartUs: 2000000, startUs: 2000000, endUs: 2000100, attempts: 1, stdout: '', stderr: '' } });
    expect(parsed.skipped.get(5)).to.equal(3);
    expect([...parsed.controls.keys()]).to.deep.equal([0, 3]);
    expect(parsed.runs.has(1)).to.equal(false);
  });

  it('a cut-short, failed or malformed output is detected', () => {
    expect(parseBatchOutput('KCONN-RUN 0 0 1 1 2 1 0 0 _ 0 - -').complete).to.equal(false);
    expect(parseBatchOutput('KCONN-FATAL mktemp failed\n').fatal).to.deep.equal(['mktemp failed']);
    expect(parseBatchOutput('KCONN-MISSING curl\nKCONN-MISSING dig\n').missing).to.deep.equal(['curl', 'dig']);
    expect(() => parseBatchOutput('KCONN-RUN 0 zero 1 1 2 1 0 0 _ 0 - -')).to.throw(BatchOutputError);
    expect(() => parseBatchOutput('KCONN-RUN x;y 0 1 1 2 1 0 0 _ 0 - -')).to.throw(BatchOutputError);
    expect(() => parseBatchOutput('KCONN-RUN 0 0 1 1 2 1 0 - -'), 'a field missing').to.throw(BatchOutputError);
    expect(() => parseBatchOutput('KCONN-LONE 1 two')).to.throw(BatchOutputError);
    expect(parseBatchOutput('KCONN-FATAL\n').fatal, 'a fatal line without a reason').to.deep.equal(['unknown failure']);
  });

  it('reads multi-digit indexes and control numbers', () => {
    const parsed = parseBatchOutput(['KCONN-LONE 12 34', 'KCONN-SKIP 56 78', 'KCONN-RUN 12 0 1 1 2 1 0 0 _ 0 - -', 'KCONN-RUN 12.L 1 1 1 2 1 0 0 _ 0 - -', 'KCONN-RUN c34 0 -1 1 2 1 0 0 _ 0 - -'].join('\n'));
    expect(parsed.lone.get(12)).to.deep.include({ controlBefore: 34 });
    expect(parsed.lone.get(12)!.run).to.deep.include({ exitCode: 1 });
    expect(parsed.skipped.get(56)).to.equal(78);
    expect(parsed.runs.get(12)).to.deep.include({ exitCode: 0 });
    expect(parsed.controls.get(34)).to.deep.include({ firstStartUs: -1 });
  });

  it('refuses a line with anything before or after its fields, naming the line (cut to 200 characters)', () => {
    const bad = [
      'KCONN-LONE 1 2 3',
      'KCONN-LONE 1 2x',
      'KCONN-SKIP 1x 2',
      'KCONN-RUN x0 0 1 1 2 1 0 0 _ 0 - -',
      'KCONN-RUN 0x 0 1 1 2 1 0 0 _ 0 - -',
      'KCONN-RUN 0.Lx 0 1 1 2 1 0 0 _ 0 - -',
      'KCONN-RUN xc1 0 1 1 2 1 0 0 _ 0 - -',
      'KCONN-RUN c1x 0 1 1 2 1 0 0 _ 0 - -',
      'KCONN-RUN c 0 1 1 2 1 0 0 _ 0 - -',
      'KCONN-RUN 0 0x 1 1 2 1 0 0 _ 0 - -',
      'KCONN-RUN 0 x0 1 1 2 1 0 0 _ 0 - -',
      'KCONN-RUN 0 0 1 1 2 1 0 0x _ 0 - -',
    ];
    for (const line of bad) expect(() => parseBatchOutput(line), line).to.throw(BatchOutputError, `: ${line}`);
    const long = `KCONN-RUN 0 0 1 1 2 1 0 0 - - ${'y'.repeat(300)}`;
    expect(() => parseBatchOutput(long)).to.throw(BatchOutputError, /^malformed probe line: KCONN-RUN 0 0 1 1 2 1 0 0 - - y{170}$/);
    const longLone = `KCONN-LONE 1 ${'9'.repeat(300)}x`;
    expect(() => parseBatchOutput(longLone)).to.throw(BatchOutputError, /^malformed line: KCONN-LONE 1 9{187}$/);
  });

  it('defines a long argv word used more than once once, as a variable; short or single words stay inline', () => {
    const long = 'x'.repeat(32);
    const short = 'y'.repeat(31);
    const single = 'z'.repeat(40);
    const entry = (index: number, argv: string[]): ScriptEntry => ({ index, deadlineSeconds: 1, argv });
    const script = buildBatchScript([entry(0, ['bash', '-c', long, short, single]), entry(1, ['bash', '-c', long, short])], opts);
    expect(script).to.include(`W0=${long}\n`);
    expect(script.split(long)).to.have.length(2);
    expect(script).to.include(`-- bash -c "$W0" ${short} ${single}); kconn_go kconn_probe 0 `);
    expect(script).to.include(`-- bash -c "$W0" ${short}); kconn_go kconn_probe 1 `);
    expect(script).to.not.include('W1=');
    // The control's argv counts too: a word shared by one probe and the control is defined once.
    const withControl = buildBatchScript([entry(0, ['bash', '-c', single])], { ...opts, control: { deadlineSeconds: 1, argv: ['bash', '-c', single], fastUs: 500_000 } });
    expect(withControl.split(single)).to.have.length(2);
    expect(withControl).to.include(`C=(1 0 0 0 '' -- bash -c "$W0")`);
  });

  it('the bytes one entry adds are never underestimated (batches are split by these sizes)', () => {
    const entries: ScriptEntry[] = [
      { index: 0, deadlineSeconds: 2, argv: ['true'] },
      { index: 7, deadlineSeconds: 2, argv: ['curl', 'é'], confirm: { negative: [7, 28], timeout: [28], waitMs: 2000 } },
      { index: 123, deadlineSeconds: 1, argv: ['dig', 'x'], until: { withinMs: 5000, intervalMs: 250, condition: { codes: [0], stdout: ['status: NOERROR'] } }, confirm: { negative: [9], timeout: [9], waitMs: 1000 } },
    ];
    for (const control of [undefined, { deadlineSeconds: 2, argv: ['bash', '-c', 'x'], fastUs: 1_000_000 }]) {
      const o: ScriptOptions = { ...opts, ...(control ? { control } : {}) };
      let before = batchScriptBytes([], o);
      for (let n = 1; n <= entries.length; n++) {
        const after = batchScriptBytes(entries.slice(0, n), o);
        expect(after - before, `entry ${entries[n - 1]!.index}`).to.be.at.most(entryScriptBytes(entries[n - 1]!));
        before = after;
      }
    }
    // Multi-byte characters count as bytes.
    expect(entryScriptBytes(entries[1]!) - entryScriptBytes({ ...entries[1]!, argv: ['curl', '$'] })).to.equal(1);
  });
});
