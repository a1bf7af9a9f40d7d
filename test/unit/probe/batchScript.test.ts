import { expect } from 'chai';
import { BatchOutputError, buildBatchScript, parseBatchOutput } from '../../../harness/probe/batchScript.js';
import { shellJoin, shellQuote } from '../../../harness/probe/shellQuote.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('batch script', () => {
  it('quotes words for a POSIX shell', () => {
    expect(shellQuote('server')).to.equal('server');
    expect(shellQuote('')).to.equal("''");
    expect(shellQuote("it's")).to.equal(`'it'\\''s'`);
    expect(shellQuote('$(id)')).to.equal("'$(id)'");
    expect(shellJoin(['curl', '-w', '%{http_code} x'])).to.equal("curl -w '%{http_code} x'");
  });

  it('puts values only in quoted arguments, never in the script text', () => {
    const script = buildBatchScript([{ index: 0, deadlineSeconds: 2, argv: ['printf', '%s', '$(reboot)'] }]);
    expect(script).to.include(`kconn_probe 0 2 0 0 0 '' -- printf %s '$(reboot)' &`);
    expect(script.split('\n').filter((l) => l.includes('$(reboot)'))).to.have.length(1);
  });

  it('passes until conditions as data', () => {
    const script = buildBatchScript([
      { index: 3, deadlineSeconds: 1, argv: ['dig', 'x'], until: { withinMs: 5000, intervalMs: 250, condition: { codes: [0], stdout: ['status: NXDOMAIN'] } } },
    ]);
    expect(script).to.include("kconn_probe 3 1 5000000 250000 0.25 0 o 'status: NXDOMAIN' -- dig x &");
  });

  it('reads results back, decoding output and skipping probes that never reported', () => {
    const out = [
      'noise from a profile script',
      `KCONN-PROBE 0 0 1700000000000000 1700000000015000 1 ${b64('hello\n')} -`,
      'KCONN-PROBE 1 -1 0 0 0 - -',
      `KCONN-PROBE 2 7 1 2 3 - ${b64('curl: (7) refused')}`,
      'KCONN-END',
    ].join('\n');
    const { runs, complete } = parseBatchOutput(out);
    expect(complete).to.equal(true);
    expect(runs.get(0)).to.deep.equal({ exitCode: 0, startUs: 1700000000000000, endUs: 1700000000015000, attempts: 1, stdout: 'hello\n', stderr: '' });
    expect(runs.has(1)).to.equal(false);
    expect(runs.get(2)).to.deep.include({ exitCode: 7, attempts: 3, stderr: 'curl: (7) refused' });
  });

  it('a cut-short or malformed output is detected', () => {
    expect(parseBatchOutput(`KCONN-PROBE 0 0 1 2 1 - -`).complete).to.equal(false);
    expect(() => parseBatchOutput('KCONN-PROBE 0 zero 1 2 1 - -')).to.throw(BatchOutputError);
  });
});
