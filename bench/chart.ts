import type { ScenarioResult } from './scenarios.ts';

/**
 * The chart of docs/PERFORMANCE.md, drawn from results.json: provider requests and wall time
 * against the number of variables (the scale scenario) and of targets (the fleets), EnvSync next
 * to the peer-style baseline, on log-log axes. Plain SVG, no dependency.
 */

interface Series {
  readonly name: string;
  readonly color: string;
  readonly dashed: boolean;
  readonly points: readonly (readonly [number, number])[];
}

const width = 460;
const height = 300;
const margin = { top: 34, right: 16, bottom: 44, left: 64 };

export function renderChart(results: readonly ScenarioResult[], subtitle: string): string {
  const scale = (provider: string) => results.filter((result) => result.scenario === `scale (${provider})` && result.axis !== undefined);
  const fleets = results.filter((result) => result.axis?.name === 'targets');
  const series = (rows: readonly ScenarioResult[], metric: 'requests' | 'ms', who: 'envsync' | 'baseline', name: string, color: string): Series => ({
    name,
    color,
    dashed: who === 'baseline',
    points: rows.flatMap((row) => {
      const value = who === 'envsync' ? row.envsync[metric] : row.baseline?.[metric];
      return value === undefined || row.axis === undefined ? [] : [[row.axis.value, metric === 'ms' ? value / 1000 : value] as const];
    }),
  });
  const panels = [
    panel('Requests by variables (one target, 1 % changed)', 'variables', 'requests', [
      series(scale('render'), 'requests', 'envsync', 'EnvSync, Render', '#1f77b4'),
      series(scale('netlify'), 'requests', 'envsync', 'EnvSync, Netlify', '#2ca02c'),
      series(scale('render'), 'requests', 'baseline', 'baseline, Render', '#1f77b4'),
      series(scale('netlify'), 'requests', 'baseline', 'baseline, Netlify', '#2ca02c'),
    ]),
    panel('Time by variables (one target, 1 % changed)', 'variables', 'seconds', [
      series(scale('render'), 'ms', 'envsync', 'EnvSync, Render', '#1f77b4'),
      series(scale('netlify'), 'ms', 'envsync', 'EnvSync, Netlify', '#2ca02c'),
      series(scale('render'), 'ms', 'baseline', 'baseline, Render', '#1f77b4'),
      series(scale('netlify'), 'ms', 'baseline', 'baseline, Netlify', '#2ca02c'),
    ]),
    panel('Requests by targets (fleets)', 'targets', 'requests', [
      series(fleets, 'requests', 'envsync', 'EnvSync', '#d62728'),
      series(fleets, 'requests', 'baseline', 'baseline', '#d62728'),
    ]),
    panel('Time by targets (fleets)', 'targets', 'seconds', [
      series(fleets, 'ms', 'envsync', 'EnvSync', '#d62728'),
      series(fleets, 'ms', 'baseline', 'baseline', '#d62728'),
    ]),
  ];
  const total = { width: width * 2, height: height * 2 + 40 };
  const placed = panels.map((svg, index) => `<g transform="translate(${(index % 2) * width},${40 + Math.floor(index / 2) * height})">${svg}</g>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${total.width}" height="${total.height}" viewBox="0 0 ${total.width} ${total.height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="12" y="18" font-size="14" font-weight="bold">EnvSync vs a peer-style client (solid: EnvSync, dashed: baseline; log-log)</text>`,
    `<text x="12" y="33" fill="#555">${escape(subtitle)}</text>`,
    ...placed,
    '</svg>',
    '',
  ].join('\n');
}

function panel(title: string, xName: string, yName: string, all: readonly Series[]): string {
  const series = all.filter((item) => item.points.length > 0);
  const xs = series.flatMap((item) => item.points.map(([x]) => x));
  const ys = series.flatMap((item) => item.points.map(([, y]) => y)).filter((y) => y > 0);
  if (xs.length === 0 || ys.length === 0) return `<text x="${margin.left}" y="${margin.top + 20}">${escape(title)}: no data</text>`;
  const [x0, x1] = decades(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = decades(Math.min(...ys), Math.max(...ys));
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const px = (x: number) => margin.left + ((Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * plotW;
  const py = (y: number) => margin.top + plotH - ((Math.log10(Math.max(y, y0)) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * plotH;
  const parts: string[] = [`<text x="${margin.left}" y="${margin.top - 12}" font-weight="bold">${escape(title)}</text>`];
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  for (let tick = x0; tick <= x1 * 1.0001; tick *= 10) {
    parts.push(`<line x1="${px(tick)}" y1="${margin.top}" x2="${px(tick)}" y2="${margin.top + plotH}" stroke="#eee"/>`);
    parts.push(`<text x="${px(tick)}" y="${margin.top + plotH + 14}" text-anchor="middle">${label(tick)}</text>`);
  }
  for (let tick = y0; tick <= y1 * 1.0001; tick *= 10) {
    parts.push(`<line x1="${margin.left}" y1="${py(tick)}" x2="${margin.left + plotW}" y2="${py(tick)}" stroke="#eee"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${py(tick) + 4}" text-anchor="end">${label(tick)}</text>`);
  }
  parts.push(`<text x="${margin.left + plotW / 2}" y="${height - 12}" text-anchor="middle">${escape(xName)}</text>`);
  parts.push(`<text transform="translate(14,${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(yName)}</text>`);
  series.forEach((item, index) => {
    const points = item.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    const dash = item.dashed ? ' stroke-dasharray="5,4"' : '';
    parts.push(`<polyline points="${points}" fill="none" stroke="${item.color}" stroke-width="2"${dash}/>`);
    for (const [x, y] of item.points) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${item.color}"/>`);
    const ly = margin.top + 12 + index * 14;
    parts.push(`<line x1="${margin.left + 8}" y1="${ly - 4}" x2="${margin.left + 28}" y2="${ly - 4}" stroke="${item.color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${margin.left + 32}" y="${ly}">${escape(item.name)}</text>`);
  });
  return parts.join('\n');
}

function decades(min: number, max: number): [number, number] {
  const low = 10 ** Math.floor(Math.log10(min));
  const high = 10 ** Math.ceil(Math.log10(max));
  return [low, high === low ? low * 10 : high];
}

function label(value: number): string {
  if (value >= 1_000_000) return `${value / 1_000_000}M`;
  if (value >= 1_000) return `${value / 1_000}k`;
  return String(value);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
