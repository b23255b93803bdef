import type { BundleFigures, BundleName } from './measureBundles.js';
import type { EndToEndFigures } from './measureEndToEnd.js';
import type { BatchSeries, HandlerFigures } from './measureHandler.js';
import { median } from './statistics.js';

/** The targets, each met when the figure is at most the target. */
export const targets = {
  /** Minified consumer bundle, KB of 1000 bytes. */
  consumerBundleKB: 640,
  /** Median cold import of the consumer ÷ that of the floor (the MongoDB driver alone). */
  consumerImportRatio: 1.25,
  commandsPerNewOrder: 3,
  commandsPerDuplicate: 2,
  /** p50 of a 10-record batch ÷ p50 of a 1-record batch, new orders. */
  batchOf10OverBatchOf1: 2,
} as const;

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
  readonly coldImportMs: Readonly<Record<BundleName, readonly number[]>>;
  readonly handler: HandlerFigures;
  /** With `maxConcurrency` pollers, then with one. */
  readonly endToEnd: readonly EndToEndFigures[];
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
        value: kb(bundle.bytes),
        shown: `${fixed(kb(bundle.bytes))} (${bundle.bytes} bytes)`,
        unit: 'KB',
        ...(bundle.name === 'consumer' ? { target: targets.consumerBundleKB } : {}),
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

const importRows = (coldImportMs: BenchFigures['coldImportMs']): Row[] => {
  const samples = coldImportMs.floor.length;
  const section = `cold import, fresh Node processes, median of ${samples}`;
  const floor = median(coldImportMs.floor);
  return (Object.keys(describeBundle) as BundleName[]).flatMap((name) => {
    const ms = median(coldImportMs[name]);
    const row: Row = {
      section,
      metric: `${describeBundle[name]} import`,
      value: ms,
      shown: fixed(ms),
      unit: 'ms',
    };
    if (name === 'floor') return [row];
    return [
      row,
      {
        section,
        metric: `${name} import ÷ floor import`,
        value: ms / floor,
        shown: fixed(ms / floor, 2),
        unit: '×',
        ...(name === 'consumer' ? { target: targets.consumerImportRatio } : {}),
      },
    ];
  });
};

const seriesName = (s: BatchSeries) =>
  `batch of ${s.batchSize}, ${s.orders === 'new' ? 'new orders' : 'all duplicates'}${s.mode === 'sequential' ? ', sequential' : ''}`;

const handlerRows = (handler: HandlerFigures): Row[] => {
  const section = 'consumer handler, one warm container';
  const rows: Row[] = handler.series.flatMap((s) => [
    {
      section,
      metric: `${seriesName(s)}: p50 / p99 of ${s.durationsMs.length}`,
      value: s.p50Ms,
      shown: `${fixed(s.p50Ms)} / ${fixed(s.p99Ms)}`,
      unit: 'ms',
    },
    {
      section,
      metric: `${seriesName(s)}: throughput`,
      value: s.ordersPerSecond,
      shown: fixed(s.ordersPerSecond),
      unit: 'orders/s',
    },
  ]);
  const p50 = (batchSize: number) =>
    handler.series.find(
      (s) => s.batchSize === batchSize && s.orders === 'new' && s.mode === 'parallel',
    )?.p50Ms ?? Number.NaN;
  const ratio = p50(10) / p50(1);
  rows.push(
    {
      section,
      metric: 'batch of 10 ÷ batch of 1, p50, new orders',
      value: ratio,
      shown: fixed(ratio, 2),
      unit: '×',
      target: targets.batchOf10OverBatchOf1,
    },
    {
      section,
      metric: 'MongoDB commands per new order',
      value: handler.commandsPerNewOrder.total,
      shown: fixed(handler.commandsPerNewOrder.total, 2),
      unit: 'commands',
      target: targets.commandsPerNewOrder,
    },
    {
      section,
      metric: 'MongoDB commands per duplicate delivery',
      value: handler.commandsPerDuplicate.total,
      shown: fixed(handler.commandsPerDuplicate.total, 2),
      unit: 'commands',
      target: targets.commandsPerDuplicate,
    },
  );
  return rows;
};

const endToEndRows = (runs: readonly EndToEndFigures[]): Row[] =>
  runs.flatMap((e2e) => {
    const section = `end to end, local runtime, ${e2e.orders} orders, ${e2e.pollers} poller${e2e.pollers === 1 ? '' : 's'}`;
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
      row(
        'redeliveries / timed-out invocations',
        e2e.stats.redeliveries,
        `${e2e.stats.redeliveries} / ${e2e.stats.timeouts}`,
        '',
      ),
    ];
  });

/** The report's rows, in the order they are printed. */
export const benchRows = (figures: BenchFigures): Row[] => [
  ...bundleRows(figures.bundles),
  ...importRows(figures.coldImportMs),
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
