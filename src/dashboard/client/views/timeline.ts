import type { SyncReport } from '../../../core/report.ts';
import { s } from '../dom.ts';
import { changeCount, resultText, when } from '../model.ts';

/**
 * A target's runs over time as a small inline SVG: one bar per run, its height the number of
 * changes (made or planned), red with a mark on top when the run had errors, hollow for a dry-run.
 * The chart is an image with a text alternative; the table beside it carries the same facts.
 */

const width = 320;
const height = 80;
const pad = 4;

/** The chart of `reports` (any order; drawn oldest to newest). */
export function timelineChart(reports: readonly SyncReport[]): SVGSVGElement {
  const ordered = [...reports].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const max = Math.max(1, ...ordered.map(changeCount));
  const slot = (width - 2 * pad) / Math.max(ordered.length, 1);
  const barWidth = Math.max(2, Math.min(24, slot - 2));
  const errors = ordered.filter((report) => report.errors.length > 0).length;
  const changes = ordered.reduce((sum, report) => sum + changeCount(report), 0);
  const label = `${ordered.length} runs, ${changes} changes in all, ${errors} with errors`;
  const bars = ordered.map((report, index) => {
    const count = changeCount(report);
    const barHeight = count === 0 ? 2 : Math.max(4, ((height - 2 * pad - 8) * count) / max);
    const x = pad + index * slot + (slot - barWidth) / 2;
    const failed = report.errors.length > 0;
    const kind = failed ? 'bar-error' : report.mode === 'dry-run' ? 'bar-plan' : 'bar-apply';
    return s(
      'g',
      { class: kind },
      s('title', {}, `${when(report.startedAt)}: ${resultText(report)}`),
      s('rect', { x: x.toFixed(1), y: (height - pad - barHeight).toFixed(1), width: barWidth.toFixed(1), height: barHeight.toFixed(1), rx: 1 }),
      failed ? s('circle', { cx: (x + barWidth / 2).toFixed(1), cy: pad + 3, r: 3 }) : null,
    );
  });
  return s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, class: 'timeline', role: 'img', 'aria-label': label, preserveAspectRatio: 'none' },
    s('title', {}, label),
    s('line', { x1: 0, y1: height - pad + 0.5, x2: width, y2: height - pad + 0.5, class: 'axis' }),
    bars,
  );
}
