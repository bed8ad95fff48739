// chart.js - small SVG charts for the reports: horizontal bars (categories,
// regions, departments, TOP10) and a line over time (day, week, month), one
// or two series (this period and the one compared with). Built with
// createElementNS, every label a text node; no style attributes (the CSP
// forbids them): the look is classes in style.css (.chart .s0, .s1, .grid,
// .axis). The SVG is role="img" with an accessible name; its numbers are
// always in a table next to it (the page draws that table), so the chart
// itself is hidden from nothing but adds nothing a screen reader needs.
const NS = 'http://www.w3.org/2000/svg';

// s('rect', {x: 1, class: 'bar'}, child…): an SVG element; strings become text nodes.
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// A round axis maximum and its step: 0…max in 4–5 steps of 1, 2 or 5 × 10^n
// (whole steps when the values are counts).
function niceScale(max, integer) {
  if (!(max > 0)) return { max: 1, step: 1 };
  const rough = max / 4;
  const mag = 10 ** Math.floor(Math.log10(rough));
  let step = [1, 2, 5, 10].map((m) => m * mag).find((x) => x >= rough);
  if (integer) step = Math.max(1, Math.round(step));
  return { max: Math.ceil(max / step) * step, step };
}

function svgRoot(title, width, height, cls) {
  return s('svg', { class: `chart-svg ${cls}`, role: 'img', 'aria-label': title, viewBox: `0 0 ${width} ${height}`,
    width, height, focusable: 'false' }, s('title', {}, title));
}

function legend(series, width, y) {
  if (series.length < 2) return null;
  let x = 0;
  const g = s('g', { class: 'legend', transform: `translate(${width - 10}, ${y})`, 'text-anchor': 'end' });
  // right to left, so the first series is leftmost
  for (let i = series.length - 1; i >= 0; i--) {
    const w = Math.max(40, series[i].name.length * 13 + 22);
    g.append(s('rect', { class: `s${i}`, x: x - w, y: -9, width: 10, height: 10 }),
      s('text', { x: x - w + 14, y: 0, 'text-anchor': 'start' }, series[i].name));
    x -= w + 8;
  }
  return g;
}

// Horizontal bars: labels down the left, one bar per series per label.
// opts: {title, labels: [text], series: [{name, values: [number|null]}], format(n) → text, width,
// integer: false when the values are not counts}
export function hbar({ title, labels, series, format = String, width = 640, integer = true }) {
  const lab = Math.min(Math.max(...labels.map((l) => String(l).length), 2) * 13 + 12, Math.round(width * 0.38));
  const bar = series.length > 1 ? 11 : 16;
  const band = bar * series.length + 10;
  const top = series.length > 1 ? 26 : 8;
  const height = top + band * labels.length + 24;
  const plot = width - lab - 64;
  const max = Math.max(0, ...series.flatMap((x) => x.values.map((v) => v || 0)));
  const scale = niceScale(max, integer);
  const svg = svgRoot(title, width, height, 'hbar');
  svg.append(legend(series, width, 12) || '');
  const grid = s('g', { class: 'grid' });
  for (let v = 0; v <= scale.max; v += scale.step) {
    const x = lab + (v / scale.max) * plot;
    grid.append(s('line', { x1: x, x2: x, y1: top, y2: height - 20 }),
      s('text', { class: 'tick', x, y: height - 6, 'text-anchor': 'middle' }, format(v)));
  }
  svg.append(grid);
  labels.forEach((l, i) => {
    const y0 = top + i * band + 5;
    svg.append(s('text', { class: 'label', x: lab - 6, y: y0 + (bar * series.length) / 2 + 4, 'text-anchor': 'end' },
      clip(String(l), Math.floor((lab - 8) / 13))));
    series.forEach((ser, j) => {
      const v = ser.values[i];
      const w = v ? Math.max(1, (v / scale.max) * plot) : 0;
      const y = y0 + j * bar;
      svg.append(s('rect', { class: `bar s${j}`, x: lab, y, width: w, height: bar - 2 },
        s('title', {}, `${l} · ${ser.name}: ${v === null || v === undefined ? '—' : format(v)}`)));
      svg.append(s('text', { class: 'value', x: lab + w + 4, y: y + bar - 4 }, v === null || v === undefined ? '—' : format(v)));
    });
  });
  svg.append(s('line', { class: 'axis', x1: lab, x2: lab, y1: top, y2: height - 20 }));
  return svg;
}

// A line per series over the labels (days, weeks, months), with a point and
// its value where there is room.
export function line({ title, labels, series, format = String, width = 640, integer = true }) {
  const height = 260;
  const left = 48, right = 24, top = series.length > 1 ? 28 : 12, bottom = 40;
  const plotW = width - left - right, plotH = height - top - bottom;
  const max = Math.max(0, ...series.flatMap((x) => x.values.map((v) => v || 0)));
  const scale = niceScale(max * 1.1, integer); // room for the value above the highest point
  const n = labels.length;
  const xAt = (i) => left + (n > 1 ? (i / (n - 1)) * plotW : plotW / 2);
  const yAt = (v) => top + plotH - (v / scale.max) * plotH;
  const svg = svgRoot(title, width, height, 'line');
  svg.append(legend(series, width, 14) || '');
  const grid = s('g', { class: 'grid' });
  for (let v = 0; v <= scale.max; v += scale.step) {
    grid.append(s('line', { x1: left, x2: width - right, y1: yAt(v), y2: yAt(v) }),
      s('text', { class: 'tick', x: left - 6, y: yAt(v) + 4, 'text-anchor': 'end' }, format(v)));
  }
  svg.append(grid);
  // every k-th label, so that they do not overlap
  const every = Math.max(1, Math.ceil((n * Math.max(...labels.map((l) => String(l).length)) * 7.5) / plotW));
  labels.forEach((l, i) => {
    if (i % every) return;
    svg.append(s('text', { class: 'tick', x: xAt(i), y: height - bottom + 16, 'text-anchor': 'middle' }, String(l)));
  });
  const showValues = n <= Math.floor(plotW / 34);
  series.forEach((ser, j) => {
    const pts = ser.values.map((v, i) => (v === null || v === undefined ? null : [xAt(i), yAt(v)]));
    let d = '';
    pts.forEach((p, i) => { if (p) d += `${d && pts[i - 1] ? 'L' : 'M'}${p[0].toFixed(1)},${p[1].toFixed(1)}`; });
    svg.append(s('path', { class: `line s${j}`, d, fill: 'none' }));
    pts.forEach((p, i) => {
      if (!p) return;
      svg.append(s('circle', { class: `point s${j}`, cx: p[0], cy: p[1], r: 3 },
        s('title', {}, `${labels[i]} · ${ser.name}: ${format(ser.values[i])}`)));
      if (showValues && j === 0) svg.append(s('text', { class: 'value', x: p[0], y: p[1] - 7, 'text-anchor': 'middle' }, format(ser.values[i])));
    });
  });
  svg.append(s('line', { class: 'axis', x1: left, x2: width - right, y1: top + plotH, y2: top + plotH }));
  return svg;
}

function clip(text, n) {
  return text.length > n ? text.slice(0, Math.max(1, n - 1)) + '…' : text;
}
