import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../../../../local/commands/ProgressBar.js';

const streamOf = (isTTY: boolean) => {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (text: string) => writes.push(text) } };
};

describe('ProgressBar', () => {
  it('prints one line per quarter on a pipe', () => {
    // Prepare
    const { writes, stream } = streamOf(false);
    let now = 0;
    const bar = new ProgressBar({ total: 100, stream, label: 'sending', now: () => now });

    // Act
    for (let done = 1; done <= 100; done++) {
      now += 10;
      bar.update(done);
    }
    bar.finish(100);

    // Assess
    expect(writes).toHaveLength(4);
    expect(writes[3]).toBe(`sending [${'#'.repeat(30)}] 100/100 100% 100/s\n`);
  });

  it('redraws in place on a terminal and ends the line', () => {
    // Prepare
    const { writes, stream } = streamOf(true);
    const bar = new ProgressBar({ total: 10, stream, label: 'x', now: () => 1_000 });

    // Act
    bar.update(5);
    bar.finish(10);

    // Assess
    expect(writes[0]?.startsWith('\rx [###############---------------] 5/10 50%')).toBe(true);
    expect(writes.at(-1)).toBe('\n');
  });
});
