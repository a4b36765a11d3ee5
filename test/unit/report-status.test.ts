import { describe, expect, it } from 'vitest';
import { statusPalette } from '../../ml/report/status.js';

const palette = statusPalette(
  {
    COMPLETED: { color: '#1f77b4', label: 'completed', marker: 'dot' },
    PRUNED: { color: '#ff7f0e', label: 'pruned', marker: 'ring' },
    FAILED: { color: '#d62728', label: 'failed', marker: 'cross' },
  },
  { dotOpacity: 0.85 },
);

describe('statusPalette', () => {
  it('orders known statuses as declared and unknown ones after them, sorted, whatever the input order', () => {
    const statuses = ['ZOMBIE', 'FAILED', 'COMPLETED', 'ALIEN', 'COMPLETED', 'PRUNED', 'FAILED', 'COMPLETED'];
    expect(palette.counts(statuses)).toEqual([
      ['COMPLETED', 3],
      ['PRUNED', 1],
      ['FAILED', 2],
      ['ALIEN', 1],
      ['ZOMBIE', 1],
    ]);
    expect(palette.ordered([...statuses].reverse())).toEqual(['COMPLETED', 'PRUNED', 'FAILED', 'ALIEN', 'ZOMBIE']);
    expect(palette.countsText(statuses)).toBe('3 completed, 1 pruned, 2 failed, 1 alien, 1 zombie');
    expect(palette.countsText([])).toBe('');
    expect(palette.legendItems(new Set(statuses), 4).map(([, label]) => label)).toEqual(['completed', 'pruned', 'failed', 'alien', 'zombie']);
  });

  it('draws an unknown status grey, as a square, and each known one with its own marker', () => {
    expect(palette.styleOf('ZOMBIE')).toEqual({ color: '#7f7f7f', label: 'zombie', marker: 'square' });
    expect(palette.marker('COMPLETED', 10, 10, 4)).toMatch(/^<circle cx="10" cy="10" r="4" fill="#1f77b4" fill-opacity="[\d.]+"\/>$/);
    expect(palette.marker('PRUNED', 10, 10, 4)).toContain('fill="#fff" stroke="#ff7f0e"');
    expect(palette.marker('FAILED', 10, 10, 4)).toMatch(/^<path d="M6,6L14,14M6,14L14,6"/);
    expect(palette.marker('ZOMBIE', 10, 10, 4)).toMatch(/^<rect x="6" y="6" width="8" height="8"/);
  });

  it('renders the summary rows indented, labels escaped', () => {
    expect(palette.countRows(['FAILED', 'a<b'])).toEqual(['<tr><th>  failed</th><td>1</td></tr>', '<tr><th>  a&lt;b</th><td>1</td></tr>']);
  });
});
