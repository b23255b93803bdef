import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../../../local/runtime/formatLogLine.js';

describe('formatLogLine', () => {
  it('shows time, level, service, request and the extra keys of a Powertools line', () => {
    // Prepare
    const line = JSON.stringify({
      level: 'INFO',
      message: 'order stored',
      timestamp: '2024-01-01T10:00:00.123Z',
      service: 'order-consumer',
      cold_start: true,
      function_request_id: 'abcdef12-3456',
      sampling_rate: 0,
      order_id: 'ORD-1',
      outcome: 'created',
      issues: [{ path: 'items', message: 'must contain at least one item' }],
    });

    // Act
    const text = formatLogLine(line);

    // Assess
    expect(text).toBe(
      '10:00:00.123 INFO  order-consumer [abcdef12] order stored  order_id=ORD-1 outcome=created issues=[{"path":"items","message":"must contain at least one item"}]',
    );
  });

  it('colours warnings when asked', () => {
    // Act
    const text = formatLogLine(JSON.stringify({ level: 'WARN', message: 'x' }), { colour: true });

    // Assess
    expect(text.startsWith('\u001b[33m')).toBe(true);
    expect(text.endsWith('\u001b[0m')).toBe(true);
  });

  it('quotes values with spaces and leaves a non-JSON line as it is', () => {
    // Act & Assess
    expect(formatLogLine(JSON.stringify({ level: 'INFO', message: 'm', error: 'a b' }))).toContain(
      'error="a b"',
    );
    expect(formatLogLine('plain text')).toBe('plain text');
    expect(formatLogLine('[1,2]')).toBe('[1,2]');
  });
});
