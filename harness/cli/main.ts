import { Command, Option } from 'commander';
import { doctorExitCode, formatDoctor, runDoctor } from '../provision/doctor.js';
import { downCommand } from './downCommand.js';
import { cacheDir } from './environment.js';
import { planCommand } from './planCommand.js';
import { createProgress } from './progress.js';
import { pruneCommand } from './pruneCommand.js';
import { DEFAULT_RUN_TIMEOUT, runCommand, type RunOptions } from './runCommand.js';
import { DEFAULT_UP_TIMEOUT, upCommand, type UpOptions } from './upCommand.js';
import { schemaCommand } from './schemaCommand.js';
import type { CommandIO } from './commandIO.js';
import { validateCommand } from './validateCommand.js';

const io: CommandIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const program = new Command()
  .name('kconn')
  .description('Kubernetes networking test harness: kind clusters, pluggable CNIs, declarative connectivity and DNS suites')
  .showHelpAfterError();

program
  .command('validate')
  .description('check topology, suite and manifest files; print every problem as file:line:col')
  .argument('[paths...]', 'files or folders (default: clusters suites manifests)')
  .action(async (paths: string[]) => {
    process.exitCode = await validateCommand(paths, io);
  });

program
  .command('plan')
  .description('print what a run would do (clusters, subnets, kind configs, steps, suites), without Docker')
  .option('--topology <file>', 'topology file (default: clusters/default.yaml)')
  .option('--cni <name>', 'use this CNI for every cluster')
  .option('--suite <name>', 'only this suite (repeatable)', collect, [])
  .option('--suites-dir <dir>', 'folder of suites (default: suites)')
  .addOption(new Option('--output <format>', 'text or json').default('text'))
  .option('--run-id <id>', 'run id used in cluster names (1-6 lowercase letters or digits)', 'plan')
  .option('--kind-network <cidr>', 'subnet of the kind Docker network, or "none"; asked from Docker when omitted')
  .action(async (opts: { topology?: string; cni?: string; suite: string[]; suitesDir?: string; output: string; runId: string; kindNetwork?: string }) => {
    process.exitCode = await planCommand(opts, io);
  });

program
  .command('schema')
  .description('write the JSON Schemas of the file kinds to schema/ (for editors)')
  .option('--check', 'fail when schema/ is out of date instead of writing')
  .action(async (opts: { check?: boolean }) => {
    process.exitCode = await schemaCommand(opts.check ?? false, io);
  });

const progress = createProgress();
/** The options `up` and `run` share: which clusters, how long, and what to keep or reuse. */
function clusterCommand(name: string, description: string, timeout: string, keepHelp: string): Command {
  return program
    .command(name)
    .description(description)
    .option('--topology <file>', 'topology file (default: clusters/default.yaml)')
    .option('--cni <name>', 'use this CNI for every cluster')
    .option('--timeout <duration>', 'bound on provisioning and the run; everything created is removed when it expires (e.g. 15m)', timeout)
    .option('--keep', keepHelp)
    .option('--reuse', 'reuse the kept clusters of an earlier run built from the same plan');
}

clusterCommand('up', 'provision the clusters of a topology and stop there (prints kubeconfig paths)', DEFAULT_UP_TIMEOUT, 'on failure, keep what was created (for debugging)').action(
  async (opts: UpOptions) => {
    process.exitCode = await upCommand(opts, io, progress);
  },
);

clusterCommand('run', 'provision, run the suites (mocha), write JUnit and results.json to reports/<run-id>/, tear down', DEFAULT_RUN_TIMEOUT, 'keep clusters (and manifests) after the run')
  .option('--suite <name>', 'only this suite (repeatable)', collect, [])
  .option('--reports-dir <dir>', 'where reports go', 'reports')
  .action(async (opts: RunOptions) => {
    process.exitCode = await runCommand(opts, io, progress);
  });

program
  .command('down')
  .description('remove the clusters of a run (the newest one by default)')
  .option('--run-id <id>', 'the run to remove')
  .option('--all', 'every recorded run')
  .action(async (opts: { runId?: string; all?: boolean }) => {
    process.exitCode = await downCommand(opts, io, progress);
  });

program
  .command('prune')
  .description('remove every kconn cluster, container and network left by crashed runs (running and kept runs stay)')
  .option('--all', 'also remove clusters kept with kconn up or run --keep')
  .action(async (opts: { all?: boolean }) => {
    process.exitCode = await pruneCommand(opts, io, progress);
  });

program
  .command('doctor')
  .description('check Docker, kind, helm, kernel limits and Node, and say how to fix what is missing')
  .action(async () => {
    const checks = await runDoctor({ cacheDir: cacheDir() });
    for (const line of formatDoctor(checks)) io.out(line);
    process.exitCode = doctorExitCode(checks);
  });

await program.parseAsync(process.argv);
