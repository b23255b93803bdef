import type { BundleFigures, BundleName } from './measureBundles.js';
import type { ColdImports } from './measureColdImports.js';
import type { EndToEndFigures } from './measureEndToEnd.js';
import type { BatchSeries, HandlerFigures } from './measureHandler.js';
import { median, sum } from './statistics.js';

/** The targets `--check` holds the figures to, each met when the figure is at most the target. */
export const targets = {
  /** Minified consumer bundle: 640 KiB. */
  consumerBundleBytes: 655_360,
  /**
   * Median cold import of the consumer ÷ that of the floor (the MongoDB driver alone): a guard
   * against regressions. The consumer measured 1.36–1.38 with nothing left to cut
   * (docs/performance.md, "What the import is made of").
   */
  consumerImportRatio: 1.45,
  /** The ratio above is trusted only when its spread is below this. */
  consumerImportRatioSpread: 0.05,
  /** MongoDB commands for a batch of 10 new orders, and for one of 100. */
  commandsPerNewBatch: 4,
  /** MongoDB commands for a batch of 10 duplicate deliveries (claims, records, documents). */
  commandsPerDuplicateBatch: 3,
  /** With a 20 ms round trip and one connection: p50 of 10 new orders ÷ p50 of 1. */
  batchOf10OverBatchOf1: 3,
} as const;

/** What the legacy service did end to end, measured (../shared/reference/legacy-service.md). */
const legacyOrdersPerSecond = { oneProcess: 0.97, twoProcesses: 1.94 } as const;

/** One line of the report. */
export interface Row {
  readonly section: string;
  readonly metric: string;
  readonly value: number;
  /** How the value is printed. */
  readonly shown: string;
  readonly unit: string;
  /** Met when value ≤ target. */
  readonly target?: number;
}

/** Everything one run measured. */
export interface BenchFigures {
  readonly bundles: readonly BundleFigures[];
  readonly coldImports: ColdImports;
  readonly handler: HandlerFigures;
  readonly endToEnd: EndToEndFigures;
}

/** Whether a row misses its target. */
export const misses = (row: Row): boolean => row.target !== undefined && !(row.value <= row.target);

const TOP_CONTRIBUTORS = 5;
const kb = (bytes: number) => bytes / 1000;
const fixed = (value: number, digits = 1) => value.toFixed(digits);
const describeBundle: Record<BundleName, string> = {
  consumer: 'consumer',
  health: 'health',
  floor: 'floor (mongodb driver alone)',
};

const bundleRows = (bundles: readonly BundleFigures[]): Row[] =>
  bundles.flatMap((bundle) => {
    const section = 'bundle size (KB = 1000 bytes)';
    const name = describeBundle[bundle.name];
    return [
      {
        section,
        metric: `${name}, minified`,
        value: bundle.bytes,
        shown: `${bundle.bytes} (${fixed(bundle.bytes / 1024)} KiB)`,
        unit: 'bytes',
        ...(bundle.name === 'consumer' ? { target: targets.consumerBundleBytes } : {}),
      },
      {
        section,
        metric: `${name}, gzip`,
        value: kb(bundle.gzipBytes),
        shown: `${fixed(kb(bundle.gzipBytes))} (${bundle.gzipBytes} bytes)`,
        unit: 'KB',
      },
      ...bundle.contributors.slice(0, TOP_CONTRIBUTORS).map((contributor) => ({
        section,
        metric: `  of which ${contributor.name}`,
        value: kb(contributor.bytes),
        shown: fixed(kb(contributor.bytes)),
        unit: 'KB',
      })),
    ];
  });

const importRows = ({ samplesMs, consumerRatio, consumerRatioSpread }: ColdImports): Row[] => {
  const section = `cold import, fresh Node processes, interleaved, median of ${samplesMs.floor.length}`;
  const row = (
    metric: string,
    value: number,
    shown: string,
    unit: string,
    target?: number,
  ): Row => ({
    section,
    metric,
    value,
    shown,
    unit,
    ...(target === undefined ? {} : { target }),
  });
  return [
    ...(Object.keys(describeBundle) as BundleName[]).map((name) =>
      row(
        `${describeBundle[name]} import`,
        median(samplesMs[name]),
        fixed(median(samplesMs[name])),
        'ms',
      ),
    ),
    row(
      'consumer import ÷ floor import',
      consumerRatio,
      fixed(consumerRatio, 2),
      '×',
      targets.consumerImportRatio,
    ),
    row(
      '  spread of that ratio (90 % of resamples)',
      consumerRatioSpread,
      fixed(consumerRatioSpread, 3),
      '×',
      targets.consumerImportRatioSpread,
    ),
  ];
};

const commandsOf = (series: BatchSeries): number => sum(Object.values(series.commandsPerBatch));

const handlerRows = ({ addedLatencyMs, series }: HandlerFigures): Row[] => {
  const pools = [...new Set(series.map((s) => s.poolSize))];
  const find = (poolSize: number, batchSize: number, orders: BatchSeries['orders']) =>
    series.find((s) => s.poolSize === poolSize && s.batchSize === batchSize && s.orders === orders);
  return pools.flatMap((poolSize) => {
    const section = `consumer handler, one warm container, ${2 * addedLatencyMs} ms round trip to MongoDB, pool of ${poolSize}`;
    const rows: Row[] = series
      .filter((s) => s.poolSize === poolSize)
      .map((s) => ({
        section,
        metric: `batch of ${s.batchSize}, ${s.orders === 'new' ? 'new orders' : 'all duplicates'}: p50 / p99 of ${s.durationsMs.length}`,
        value: s.p50Ms,
        shown: `${fixed(s.p50Ms)} / ${fixed(s.p99Ms)}`,
        unit: 'ms',
      }));
    const commandsRow = (batchSize: number, orders: BatchSeries['orders'], target: number): Row => {
      const s = find(poolSize, batchSize, orders);
      const value = s === undefined ? Number.NaN : commandsOf(s);
      return {
        section,
        metric: `MongoDB commands per batch of ${batchSize}, ${orders === 'new' ? 'new orders' : 'all duplicates'} (${Object.entries(
          s?.commandsPerBatch ?? {},
        )
          .map(([name, count]) => `${name} ${fixed(count)}`)
          .join(', ')})`,
        value,
        shown: fixed(value),
        unit: 'commands',
        target,
      };
    };
    rows.push(
      commandsRow(10, 'new', targets.commandsPerNewBatch),
      commandsRow(100, 'new', targets.commandsPerNewBatch),
      commandsRow(10, 'duplicate', targets.commandsPerDuplicateBatch),
    );
    const ratio =
      (find(poolSize, 10, 'new')?.p50Ms ?? Number.NaN) /
      (find(poolSize, 1, 'new')?.p50Ms ?? Number.NaN);
    rows.push({
      section,
      metric: 'batch of 10 ÷ batch of 1, p50, new orders',
      value: ratio,
      shown: fixed(ratio, 2),
      unit: '×',
      ...(poolSize === 1 ? { target: targets.batchOf10OverBatchOf1 } : {}),
    });
    return rows;
  });
};

const endToEndRows = (e2e: EndToEndFigures): Row[] => {
  const section = `end to end, local runtime, ${e2e.orders} orders, ${e2e.pollers} pollers`;
  const row = (metric: string, value: number, shown: string, unit: string): Row => ({
    section,
    metric,
    value,
    shown,
    unit,
  });
  return [
    row('send → stored', e2e.ordersPerSecond, fixed(e2e.ordersPerSecond), 'orders/s'),
    row(
      'the legacy service, one process / two (a 1 s sleep per order)',
      legacyOrdersPerSecond.oneProcess,
      `${legacyOrdersPerSecond.oneProcess} / ${legacyOrdersPerSecond.twoProcesses}`,
      'orders/s',
    ),
    row(
      `invocation of ${fixed(e2e.recordsPerInvocation)} records (mean), p50`,
      e2e.invocationP50Ms,
      fixed(e2e.invocationP50Ms),
      'ms',
    ),
    row(
      "pollers' time inside the consumer",
      e2e.timeInConsumer * 100,
      fixed(e2e.timeInConsumer * 100),
      '%',
    ),
    row(
      'CPU of the bench process',
      e2e.benchProcessCpu * 100,
      fixed(e2e.benchProcessCpu * 100),
      '% of a core',
    ),
  ];
};

/** The report's rows, in the order they are printed. */
export const benchRows = (figures: BenchFigures): Row[] => [
  ...bundleRows(figures.bundles),
  ...importRows(figures.coldImports),
  ...handlerRows(figures.handler),
  ...endToEndRows(figures.endToEnd),
];

/** The rows as a Markdown table, one bold line per section, so it can be pasted as it is. */
export const formatTable = (rows: readonly Row[]): string => {
  const cells = rows.map((row) => [
    row.metric,
    row.shown,
    row.unit,
    row.target === undefined ? '' : `≤ ${row.target}`,
    row.target === undefined ? '' : misses(row) ? 'MISSED' : 'ok',
  ]);
  const header = ['metric', 'value', 'unit', 'target', 'ok'];
  const sections = rows.map((row) => `**${row.section}**`);
  const widths = header.map((title, i) =>
    Math.max(
      title.length,
      ...cells.map((line) => (line[i] ?? '').length),
      ...(i === 0 ? sections.map((section) => section.length) : []),
    ),
  );
  const line = (values: readonly string[]) =>
    `| ${values.map((value, i) => value.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const lines = [line(header), line(widths.map((width) => '-'.repeat(width)))];
  rows.forEach((row, i) => {
    if (row.section !== rows[i - 1]?.section) lines.push(line([sections[i] ?? '', '', '', '', '']));
    lines.push(line(cells[i] ?? []));
  });
  return lines.join('\n');
};
