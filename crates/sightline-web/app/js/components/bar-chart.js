// A horizontal bar chart drawn as SVG from data (no markup strings, no
// inline styles: colours come from classes in audit.css). The chart is a
// picture of the table beside it: it is labelled as an image with a
// one-line summary, and the table carries the numbers for screen readers.
import { s } from '../dom.js';

const ROW = 44;
const LABEL_W = 150;
const WIDTH = 560;
const BAR_H = 10;

/**
 * `rows`: [{label, values: [n, …]}], `series`: [{name, cls}] in the order
 * of `values`. Returns an <svg>.
 */
export function barChart(rows, series, summary) {
  const max = Math.max(1, ...rows.flatMap((r) => r.values));
  const plotW = WIDTH - LABEL_W - 40;
  const height = rows.length * ROW + 28;
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${height}`, class: 'bar-chart', role: 'img', 'aria-label': summary, preserveAspectRatio: 'xMinYMin meet' });
  // Legend.
  series.forEach((se, i) => {
    const x = LABEL_W + i * 130;
    svg.append(s('rect', { x, y: 4, width: 12, height: 12, class: se.cls }), s('text', { x: x + 18, y: 14, class: 'chart-legend' }, se.name));
  });
  rows.forEach((r, i) => {
    const y = 28 + i * ROW;
    const label = r.label.length > 22 ? `${r.label.slice(0, 21)}…` : r.label;
    svg.append(s('text', { x: LABEL_W - 8, y: y + 14, class: 'chart-label', 'text-anchor': 'end' }, label));
    r.values.forEach((v, j) => {
      const w = Math.round((v / max) * plotW);
      const by = y + j * (BAR_H + 2);
      svg.append(s('rect', { x: LABEL_W, y: by, width: Math.max(w, v > 0 ? 2 : 0), height: BAR_H, class: series[j].cls }));
      svg.append(s('text', { x: LABEL_W + w + 4, y: by + BAR_H - 1, class: 'chart-value' }, String(v)));
    });
  });
  return svg;
}
