import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { ExecError } from '../../../harness/probe/podExec.js';
import { AGENT_SCRIPT, ScriptSession, type AgentChannel, type AgentEvents } from '../../../harness/probe/scriptSession.js';

// The agent (AGENT_SCRIPT) for real under the local bash, its stdin and stdout the pipes a Docker or Kubernetes exec
// would give: what a one-shot `bash -c <script>` gives, one script after the other in one process.
function localAgent(opened: { count: number; killed: number }, script = AGENT_SCRIPT) {
  return async (events: AgentEvents): Promise<AgentChannel> => {
    opened.count++;
    const p = spawn('bash', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    p.stdout.on('data', (c: Buffer) => events.stdout(c));
    p.stderr.on('data', (c: Buffer) => events.stderr(c));
    // 'close', not 'exit': 'exit' can come before the last stderr chunk is read, as a real channel's end never does
    // (dockerExec.ts and kubeExec.ts end on the stream's end, after its data).
    p.on('close', (code, signal) => events.ended(code !== null ? { exitCode: code } : { message: `killed by ${signal}` }));
    // An agent that has already exited closes its stdin: a write then fails with EPIPE, which the real channels
    // (dockerExec.ts, kubeExec.ts) take as the end of the stream too.
    p.stdin.on('error', () => undefined);
    return {
      write: (data) => void p.stdin.write(data),
      hold: () => undefined,
      kill: () => {
        opened.killed++;
        p.kill('SIGKILL');
      },
    };
  };
}

describe('script session: one long-lived agent exec per source', function () {
  this.timeout(20_000);

  it('runs scripts one after the other in one agent: their exit codes, stdout and stderr, as bash -c would', async () => {
    const opened = { count: 0, killed: 0 };
    const session = new ScriptSession('local', localAgent(opened));
    const [a, b, c] = await Promise.all([
      session.run('echo one; echo err >&2; exit 3', 5000),
      session.run(`printf '%s\\n' "é ü ${'x'.repeat(70_000)}" | head -c 20; echo`, 5000),
      session.run('echo "KCONN-DONE 99 0 -"; echo after', 5000),
    ]);
    expect(a).to.deep.equal({ exitCode: 3, stdout: 'one\n', stderr: 'err\n' });
    expect(b).to.deep.equal({ exitCode: 0, stdout: 'é ü xxxxxxxxxxxxxx\n', stderr: '' });
    expect(c, "a script's own line that looks like the end line of another id is its output").to.deep.equal({ exitCode: 0, stdout: 'KCONN-DONE 99 0 -\nafter\n', stderr: '' });
    expect(opened.count).to.equal(1);
    // The work directory and pipes the batch script uses (KCONN_WORK, fds 5 and 6) are the agent's, for every script.
    const w1 = await session.run('echo "$KCONN_WORK"; [ -d "$KCONN_WORK" ] && read -r -t 0.01 -u 5 _; echo $?; echo x >&6 && read -r -u 6 l && echo "$l"', 5000);
    const w2 = await session.run('echo "$KCONN_WORK"', 5000);
    expect(w1.stdout).to.match(/^\/\S+\n142\nx\n$/);
    expect(w2.stdout.split('\n')[0]).to.equal(w1.stdout.split('\n')[0]);
    session.close();
    await new Promise((r) => setImmediate(r));
    expect(opened.killed).to.equal(1);
  });

  it('a script that outlives its time ends the agent with an ExecError; the next run opens a new one', async () => {
    const opened = { count: 0, killed: 0 };
    const session = new ScriptSession('local', localAgent(opened));
    const err = await session.run('sleep 5', 300).catch((e: Error) => e);
    expect(err).to.be.instanceOf(ExecError);
    expect((err as Error).message).to.equal('exec in local did not finish within 300 ms');
    expect(opened.killed).to.equal(1);
    expect(await session.run('echo back', 5000)).to.deep.equal({ exitCode: 0, stdout: 'back\n', stderr: '' });
    expect(opened.count).to.equal(2);
    session.close();
  });

  it('an agent that ends before the end line gives what a one-shot exec would: its exit code and output so far', async () => {
    const opened = { count: 0, killed: 0 };
    // A source without bash: the runtime runs nothing and says 127.
    const session = new ScriptSession('local', localAgent(opened, 'echo "exec: \\"bash\\": executable file not found in \\$PATH" >&2; exit 127'));
    expect(await session.run('echo hi', 5000)).to.deep.equal({ exitCode: 127, stdout: '', stderr: 'exec: "bash": executable file not found in $PATH\n' });
    // An agent killed mid-script, with no exit code to say: an ExecError naming the source.
    const killed = new ScriptSession('local', async (events) => {
      setTimeout(() => events.ended({ message: 'the connection broke' }), 50);
      return { write: () => undefined, hold: () => undefined, kill: () => undefined };
    });
    const err = await killed.run('echo hi', 5000).catch((e: Error) => e);
    expect((err as Error).message).to.equal('exec in local ended before its probe script did: the connection broke');
    session.close();
  });

  it('an agent that cannot be opened is an ExecError, and the next run tries again', async () => {
    let tries = 0;
    const session = new ScriptSession('pod main/demo/c', async () => {
      tries++;
      throw new Error('pods "c" not found');
    });
    const err = await session.run('true', 1000).catch((e: Error) => e);
    expect(err).to.be.instanceOf(ExecError);
    expect((err as Error).message).to.equal('exec in pod main/demo/c failed: pods "c" not found');
    await session.run('true', 1000).catch(() => undefined);
    expect(tries).to.equal(2);
  });

  it('the agent refuses a header that is not two numbers', async () => {
    const p = spawn('bash', ['-c', AGENT_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.stdin.end('5 x;rm\nhello');
    const code = await new Promise((r) => p.on('exit', r));
    expect(code).to.equal(2);
    expect(err).to.equal('KCONN-AGENT bad header\n');
  });
});
