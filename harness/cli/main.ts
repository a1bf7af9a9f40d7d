import { Command, Option } from 'commander';
import { planCommand } from './planCommand.js';
import { schemaCommand } from './schemaCommand.js';
import { validateCommand, type CommandIO } from './validateCommand.js';

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

for (const name of ['up', 'run', 'down', 'prune']) {
  program
    .command(name, { hidden: false })
    .description(`${name === 'run' ? 'provision, run the suites, report and tear down' : `${name} clusters`} (not available yet)`)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      io.err(`kconn ${name}: provisioning kind clusters is not implemented yet (it is the next milestone).`);
      io.err('Today you can check your files with `kconn validate` and see the exact plan with `kconn plan`.');
      process.exitCode = 2;
    });
}

await program.parseAsync(process.argv);
