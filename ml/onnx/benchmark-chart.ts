import type { EngineBenchmark } from '../../contracts/deploy.js';
import { frame, INK, MUTED, svgDocument } from '../report/chart.js';
import { num, tag, text } from '../report/svg.js';

/**
 * The deployment benchmark as a picture: one bar per engine run (tfjs, then each version at 1
 * and N threads), its length the throughput at batch 64, annotated with latency and file size.
 * The table (`faultline deploy result`) has every figure; this shows at a glance which form wins.
 */
export function renderBenchmarkSvg(engines: readonly EngineBenchmark[], title: string): string {
  const rowH = 26;
  const labelW = 260;
  const barW = 420;
  const noteW = 260;
  const top = 60;
  const width = labelW + barW + noteW + 40;
  const height = top + engines.length * rowH + 40;
  const max = Math.max(1, ...engines.map((e) => (Number.isFinite(e.throughput64) ? e.throughput64 : 0)));
  const tfjs = engines.find((e) => e.versionId === null);
  const rows = engines.map((e, i) => {
    const y = top + i * rowH;
    const w = Number.isFinite(e.throughput64) ? (barW * e.throughput64) / max : 0;
    const label = `${e.versionId ?? 'tfjs model'} · ${e.engine} ×${e.threads}`;
    const ratio =
      tfjs && Number.isFinite(tfjs.throughput64) && tfjs.throughput64 > 0 && e !== tfjs ? ` (${(e.throughput64 / tfjs.throughput64).toFixed(1)}× tfjs)` : '';
    const note = `p50 ${e.p50Ms.toFixed(3)} ms · ${(e.bytes / 1024).toFixed(1)} KiB`;
    return (
      text(20 + labelW - 8, y + 17, label, { 'font-size': 12, fill: INK, 'text-anchor': 'end' }) +
      tag('rect', {
        x: 20 + labelW,
        y: y + 4,
        width: num(Math.max(1, w)),
        height: rowH - 8,
        fill: e.versionId === null ? '#9e9e9e' : e.versionId.includes('int8') ? '#2e7d32' : '#1565c0',
      }) +
      text(
        20 + labelW + w + 6,
        y + 17,
        Number.isFinite(e.throughput64) ? `${Math.round(e.throughput64).toLocaleString('en-US')} windows/s${ratio}` : 'no figure',
        { 'font-size': 11.5, fill: INK },
      ) +
      text(20 + labelW + barW + noteW + 10, y + 17, note, { 'font-size': 11, fill: MUTED, 'text-anchor': 'end' })
    );
  });
  const body =
    frame({ x: 10, y: 10, w: width - 20, h: height - 20 }, title, 'throughput at batch 64 (longer is faster); latency at batch 1 and file size on the right') +
    rows.join('');
  return svgDocument(width, height, title, body);
}
