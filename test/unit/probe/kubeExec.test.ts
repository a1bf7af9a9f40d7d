import { expect } from 'chai';
import { KubeConfig } from '@kubernetes/client-node';
import { exitCodeFromStatus, KubeExec } from '../../../harness/probe/kubeExec.js';
import { ExecError } from '../../../harness/probe/podExec.js';

describe('Kubernetes exec', () => {
  it('reads the exit code from the final Status of the exec stream', () => {
    expect(exitCodeFromStatus({ status: 'Success' })).to.equal(0);
    expect(
      exitCodeFromStatus({ status: 'Failure', reason: 'NonZeroExitCode', message: 'command terminated with non-zero exit code', details: { causes: [{ reason: 'ExitCode', message: '28' }] } }),
    ).to.equal(28);
    expect(exitCodeFromStatus({ status: 'Failure', message: 'exec: "bash": executable file not found in $PATH' })).to.equal(127);
    expect(() => exitCodeFromStatus({ status: 'Failure', reason: 'NotFound', message: 'pods "client-x" not found' })).to.throw(ExecError, 'pods "client-x" not found');
    // Only a missing executable is "tool missing"; any other "no such file or directory" is the exec failing.
    expect(exitCodeFromStatus({ status: 'Failure', message: 'failed to exec in container: exec: "bash": stat bash: no such file or directory' })).to.equal(127);
    const cwd = 'OCI runtime exec failed: exec failed: unable to start container process: chdir to cwd ("/work") set in config.json failed: no such file or directory: unknown';
    expect(() => exitCodeFromStatus({ status: 'Failure', message: cwd })).to.throw(ExecError, 'chdir to cwd');
  });

  it('reproduces with kubectl, every value quoted', () => {
    const exec = new KubeExec(new KubeConfig(), { cluster: 'east', namespace: 'demo', pod: 'client-7f9', container: 'client', kubeconfigPath: '/tmp/k c/kubeconfig' });
    expect(exec.source).to.equal('pod east/demo/client-7f9');
    expect(exec.reproduce(['curl', '-sS', 'http://echo:8080/'])).to.equal("kubectl --kubeconfig '/tmp/k c/kubeconfig' -n demo exec client-7f9 -c client -- curl -sS http://echo:8080/");
  });
});
