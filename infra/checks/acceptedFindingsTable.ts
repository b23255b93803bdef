import { ACCEPTED_FINDINGS, describeFinding } from './acceptedFindings.js';

const START = '<!-- accepted-findings:start (npm run docs:security writes this table) -->';
const END = '<!-- accepted-findings:end -->';

const ids = (list: readonly string[]) =>
  list.length === 0 ? '—' : list.map((id) => `\`${id}\``).join(', ');

/** The Markdown table of every accepted finding, by the options it depends on. */
export const acceptedFindingsTable = (): string => {
  const rows = ACCEPTED_FINDINGS.map((finding) => ({ finding, ...describeFinding(finding) }));
  const options = [...new Set(rows.map((row) => row.options))];
  return [
    '| options | resource | cdk-nag | checkov | reason |',
    '| --- | --- | --- | --- | --- |',
    ...rows
      .sort((a, b) => options.indexOf(a.options) - options.indexOf(b.options))
      .map(
        ({ finding, options, resource }) =>
          `| ${options} | ${resource} | ${ids(finding.nag)} | ${ids(finding.checkov)} | ${finding.reason.replace(/[|*<]/g, '\\$&')} |`,
      ),
  ].join('\n');
};

/** `markdown` with the table between its markers replaced by {@link acceptedFindingsTable}. */
export const withAcceptedFindingsTable = (markdown: string): string => {
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) throw new Error(`the markers ${START} and ${END} are missing`);
  return `${markdown.slice(0, start + START.length)}\n${acceptedFindingsTable()}\n${markdown.slice(end)}`;
};
