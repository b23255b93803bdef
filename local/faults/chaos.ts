import { createWriteStream } from 'node:fs';
import { cpus } from 'node:os';
import { parseCliArguments, wholeNumberOption } from '../cli/cliArguments.js';
import { UsageError } from '../cli/errors.js';
import { runCli } from '../cli/runCli.js';
import { jsonLogSink } from '../runtime/logSinks.js';
import { formatChaosReport } from './formatChaosReport.js';
import { runChaos } from './runChaos.js';

const HELP = `Usage: npm run chaos -- --orders N [--duplicates P] [--invalid Q] [--faults on|off] [--seed S]

Sends N messages through the local runtime (fauxqs + the event source mapping emulator + the real
consumer), P of them resends of earlier orders and Q of them messages that can never be stored
(broken bodies, and one in five a conflicting version of an earlier order), while a fault proxy
between the consumer and MongoDB refuses, resets, slows down and blackholes connections on a
schedule drawn from the seed. When the queues are quiet it reads MongoDB and the DLQ, prints the
figures and exits 1 if any order was lost, stored twice or stored wrong, or the DLQ holds anything
but the messages that can never be stored.

  --orders N        messages to send (required)
  --duplicates P    share of resends, 0 to 1 (default 0.2)
  --invalid Q       share of never-storable messages, 0 to 1 (default 0.05)
  --faults on|off   inject faults (default on)
  --seed S          seed of the message plan and the fault schedule (default 1)
  --rate R          messages per second at most (default: over 60 s with faults, else unbounded)
  --timeout SEC     give up after SEC seconds (default 900, or 0.5 s per message if more)
  --keep            keep the run's database (chaos_*) instead of dropping it
  --log-file PATH   write every consumer log line (JSON) to PATH, to investigate a failure

MongoDB: MONGO_URI if set (a single server; the proxy sits in front of it), else an embedded one.`;

const share = (name: string, raw: string | undefined, fallback: number): number => {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new UsageError(`--${name} must be a fraction from 0 to 1, e.g. 0.2`);
  }
  return value;
};

const main = async (): Promise<number> => {
  const { values } = parseCliArguments(
    process.argv.slice(2),
    {
      orders: { type: 'string' },
      duplicates: { type: 'string' },
      invalid: { type: 'string' },
      faults: { type: 'string' },
      seed: { type: 'string' },
      rate: { type: 'string' },
      timeout: { type: 'string' },
      keep: { type: 'boolean' },
      'log-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'npm run chaos -- --help',
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.orders === undefined) {
    throw new UsageError('--orders is required, e.g. npm run chaos -- --orders 500 --seed 42');
  }
  if (values.faults !== undefined && !['on', 'off'].includes(values.faults)) {
    throw new UsageError('--faults must be on or off');
  }
  const orders = wholeNumberOption('orders', values.orders, 0, { min: 1, max: 1_000_000 });
  const duplicates = share('duplicates', values.duplicates, 0.2);
  const invalid = share('invalid', values.invalid, 0.05);
  if (duplicates + invalid >= 1) {
    throw new UsageError('--duplicates and --invalid must leave some new orders (sum below 1)');
  }
  const faults = values.faults !== 'off';
  const seed = values.seed ?? '1';
  const rate =
    values.rate === undefined
      ? undefined
      : wholeNumberOption('rate', values.rate, 1, { min: 1, max: 1_000_000 });
  // A limit of the harness, not of the service: FerretDB's writes slow down as its collections
  // grow, so a long run gets more time per message than a short one would need.
  const timeoutSeconds = wholeNumberOption(
    'timeout',
    values.timeout,
    Math.max(900, Math.ceil(orders / 2)),
    {
      min: 10,
      max: 86_400,
    },
  );

  const logFile =
    values['log-file'] === undefined ? undefined : createWriteStream(values['log-file']);
  const report = await runChaos({
    orders,
    duplicates,
    invalid,
    faults,
    seed,
    timeoutSeconds,
    ...(rate === undefined ? {} : { rate }),
    ...(process.env.MONGO_URI ? { mongoUri: process.env.MONGO_URI } : {}),
    ...(values.keep ? { keepDatabase: true } : {}),
    ...(logFile === undefined ? {} : { logSink: jsonLogSink(logFile) }),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  await new Promise((resolve) => logFile?.end(resolve) ?? resolve(undefined));
  const cpu = cpus();
  const title = `chaos --orders ${orders} --duplicates ${duplicates} --invalid ${invalid} --faults ${faults ? 'on' : 'off'} --seed ${seed}
  on ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${report.server}`;
  process.stdout.write(`${formatChaosReport(report, title)}\n`);
  return report.verdict.violations.length === 0 ? 0 : 1;
};

// A run resets hundreds of sockets; now and then one leaves a libuv request that never completes,
// and Node spins at 100% CPU in its exit-time handle cleanup after everything is done. Everything
// is closed by then, so the process ends at once with the status the run decided.
process.once('exit', (code) => process.exit(code));

runCli('chaos', main);
