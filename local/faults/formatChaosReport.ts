import type { ChaosReport } from './runChaos.js';

const row = (label: string, value: string | number, note = ''): string =>
  `  ${label.padEnd(28)}${String(value).padStart(9)}   ${note}`.trimEnd();

/** The table a chaos run prints: the figures, what each must be, and the verdict. */
export const formatChaosReport = (report: ChaosReport, title: string): string => {
  const { verdict, stats } = report;
  const faults = [...report.faultsInjected].map(([kind, count]) => `${kind} ${count}`).join(', ');
  const faultTotal = [...report.faultsInjected.values()].reduce((sum, count) => sum + count, 0);
  const lines = [
    title,
    row('sent', verdict.sent, 'messages'),
    row('unique valid orders', verdict.uniqueValid),
    row('resends', verdict.resends, 'same order again, some respelled'),
    row('invalid', verdict.invalid, 'bodies breaking the contract'),
    row(
      'conflicts',
      verdict.conflicts,
      `same order_id, other content (${verdict.conflictsWonByLaterVersion} reached the database before their original)`,
    ),
    row('stored', verdict.stored, `must be ${verdict.uniqueValid}`),
    row('stored twice', verdict.storedTwice, 'must be 0'),
    row('lost', verdict.lost, 'must be 0'),
    row('stored with other content', verdict.wrongContent, 'must be 0'),
    row('unexpected documents', verdict.unexpectedDocuments, 'must be 0'),
    row(
      'in the DLQ',
      verdict.inDeadLetterQueue,
      `must be ${verdict.expectedInDeadLetterQueue}: the invalid ones and the losing side of each conflict`,
    ),
    row('valid messages in the DLQ', verdict.validInDeadLetterQueue, 'must be 0'),
    row('missing from the DLQ', verdict.missingFromDeadLetterQueue, 'must be 0'),
    row('claims left in progress', verdict.unfinishedClaims, 'must be 0'),
    row('left on the queue', verdict.leftOnQueue, 'must be 0'),
    row('internal errors', verdict.internalErrors, 'must be 0: every injected fault is an outage'),
    row('retries observed', stats.redeliveries, 'receives of a message already received before'),
    row(
      'invocations',
      stats.invocations,
      `${stats.partialBatches} partial, ${stats.failedBatches} failed whole (${stats.timeouts} timeouts)`,
    ),
    row('faults injected', faultTotal, faults),
    row('wall time', `${(report.wallMs / 1000).toFixed(1)} s`),
  ];
  const reasons = [...report.failureReasons].sort((a, b) => b[1] - a[1]).slice(0, 6);
  if (reasons.length > 0) {
    lines.push('  consumer failures logged:');
    for (const [reason, count] of reasons)
      lines.push(`    ${String(count).padStart(7)}  ${reason}`);
  }
  if (verdict.violations.length === 0) {
    lines.push('RESULT: PASS — nothing lost, nothing stored twice, every failure in the DLQ');
  } else {
    lines.push(`RESULT: FAIL — ${verdict.violations.join('; ')}`, ...verdict.examples);
  }
  return lines.join('\n');
};
