// `nimbusguard` — headless entry point. Each subcommand lives in its own module and is loaded on use.
import { writeSync } from 'node:fs';

type Command = { summary: string; run: (argv: string[]) => Promise<number> };

const commands: Record<string, Command> = {
  scan: {
    summary: 'scan [--context C] [--namespace N] [--json] [--watch]   list the incidents of the current context',
    run: async (argv) => (await import('./scan')).runScan(argv),
  },
  fix: {
    summary:
      'fix KIND/NAME -n NS [--type T] [--policy P] [--fix N|ID] [--shadow] [--yes] [--wait S] [--confirm-context NAME] [--confirm-risk high] [--json]   verify a fix and apply it after confirmation',
    run: async (argv) => (await import('./fix')).runFix(argv),
  },
  rollback: {
    summary: 'rollback CHANGE_ID [--yes] [--force] [--wait S] [--json]   restore what a recorded change changed',
    run: async (argv) => (await import('./rollback')).runRollback(argv),
  },
  history: {
    summary: 'history [--json]   list the changes recorded for the current cluster',
    run: async (argv) => (await import('./history')).runHistory(argv),
  },
  bench: {
    summary: 'bench scaling --trace FILE --policy NAME | --all   score scaling policies on request-rate traces',
    run: async (argv) => (await import('./bench')).runBench(argv),
  },
};

function usage(): string {
  const lines = Object.values(commands).map((c) => `  nimbusguard ${c.summary}`);
  return `usage:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`nimbusguard: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    writeSync(2, `nimbusguard: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
