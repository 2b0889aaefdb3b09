// The what-if page's drawing (docs/serve.md): DOM and SVG elements, numbers and words, and fan
// charts. Loaded before page.js; every text is set with textContent, never parsed as HTML.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
// The percentiles of every distribution the server sends, in order.
const P = {p05: 0, p10: 1, p25: 2, p50: 3, p75: 4, p90: 5, p95: 6};

function element(tag, attributes = {}, text = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  return e;
}

function svgElement(tag, attributes = {}, text = null) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, String(v));
  if (text !== null) e.textContent = text;
  return e;
}

// ---------------------------------------------------------------- numbers and words

const grouped = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});
function ratioText(x) { return x.toFixed(x < 10 ? 3 : 1); }
function signed(text, x) { return x > 0 ? '+' + text : text; }
// A change too small for 3 decimals keeps 2 significant digits: "+0.00042", not "+0.000".
function changeText(x) {
  return signed(x !== 0 && Math.abs(x) < 0.001 ? x.toPrecision(2) : x.toFixed(3), x);
}
// A share of paths as a whole percentage; never "100%" or "0%" when some path went the other way.
function shareText(p) {
  if (p > 0.99 && p < 1) return '>99%';
  if (p > 0 && p < 0.01) return '<1%';
  return `${Math.round(100 * p)}%`;
}

// How a per-path change reads, from the shares of paths on which it went up and down: the
// IPCC's calibrated language, "very likely" for at least 90% and "likely" for at least 66%.
function changeWords(up, down) {
  if (up === 0 && down === 0) return {text: 'unchanged on every path', kind: ''};
  if (up >= 0.9) return {text: `very likely higher (${shareText(up)} of paths)`, kind: 'up'};
  if (down >= 0.9) return {text: `very likely lower (${shareText(down)} of paths)`, kind: 'down'};
  if (up >= 0.66) return {text: `likely higher (${shareText(up)} of paths)`, kind: 'up'};
  if (down >= 0.66) return {text: `likely lower (${shareText(down)} of paths)`, kind: 'down'};
  return {text: `no clear direction (${shareText(up)} of paths higher, ${shareText(down)} lower)`,
          kind: ''};
}

// How a probability reads, in the same language; chosen from the percentage shown.
function probabilityWords(p) {
  p = Math.round(100 * p) / 100;
  if (p >= 0.9) return 'very likely';
  if (p >= 0.66) return 'likely';
  if (p <= 0.1) return 'very unlikely';
  if (p <= 0.33) return 'unlikely';
  return 'about as likely as not';
}

// ---------------------------------------------------------------- charts

const W = 640, H = 300, M = {left: 64, right: 16, top: 30, bottom: 36};

function niceTicks(low, high) {
  const span = high - low || Math.abs(high) || 1;
  const raw = span / 5, power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((k) => k * power).find((s) => span / s <= 6);
  const ticks = [];
  for (let t = Math.ceil(low / step) * step; t <= high + step * 1e-9; t += step) ticks.push(t);
  return ticks;
}

// A chart of fans (percentile bands over periods) and lines; `format` writes its axis labels.
function chart({title, periods, fans = [], lines = [], zero = false, guides = [], format, domain}) {
  const figure = element('figure', {class: 'chart'});
  figure.append(element('figcaption', {}, title));
  const svg = svgElement('svg', {viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title});
  let low = Infinity, high = -Infinity;
  for (const f of fans) for (const q of f.bands) { low = Math.min(low, q[P.p05]); high = Math.max(high, q[P.p95]); }
  for (const l of lines) for (const y of l.values) { low = Math.min(low, y); high = Math.max(high, y); }
  if (zero) { low = Math.min(low, 0); high = Math.max(high, 0); }
  if (domain) [low, high] = domain;
  if (high - low < 1e-12) { low -= 1; high += 1; }
  const pad = (high - low) * 0.05;
  if (!domain) { low -= pad; high += pad; }
  const x = (i) => M.left + (W - M.left - M.right) * (periods.length > 1 ? i / (periods.length - 1) : 0.5);
  const y = (v) => H - M.bottom - (H - M.top - M.bottom) * (v - low) / (high - low);
  for (const t of niceTicks(low, high)) {
    svg.append(svgElement('line', {class: 'grid', x1: M.left, x2: W - M.right, y1: y(t), y2: y(t)}));
    svg.append(svgElement('text', {x: M.left - 6, y: y(t) + 4, 'text-anchor': 'end'}, format(t)));
  }
  periods.forEach((label, i) => {
    if (!(i === 0 || label.endsWith('Q1') || periods.length <= 12)) return;
    svg.append(svgElement('text', {x: x(i), y: H - M.bottom + 16, 'text-anchor': 'middle'},
                          label.replace(/-Q1$/, '')));
  });
  svg.append(svgElement('line', {class: 'axis', x1: M.left, x2: M.left, y1: M.top, y2: H - M.bottom}));
  svg.append(svgElement('line', {class: 'axis', x1: M.left, x2: W - M.right, y1: H - M.bottom, y2: H - M.bottom}));
  for (const g of guides) {
    svg.append(svgElement('line', {class: 'guide', x1: M.left, x2: W - M.right, y1: y(g), y2: y(g)}));
  }
  if (zero) svg.append(svgElement('line', {class: 'zero', x1: M.left, x2: W - M.right, y1: y(0), y2: y(0)}));
  for (const f of fans) {
    for (const [a, b, opacity] of [[P.p05, P.p95, 0.14], [P.p10, P.p90, 0.2], [P.p25, P.p75, 0.3]]) {
      const upper = f.bands.map((q, i) => `${x(i).toFixed(1)},${y(q[b]).toFixed(1)}`);
      const lower = f.bands.map((q, i) => `${x(i).toFixed(1)},${y(q[a]).toFixed(1)}`).reverse();
      svg.append(svgElement('polygon', {class: `band-${f.kind}`, 'fill-opacity': opacity,
                                        points: upper.concat(lower).join(' ')}));
    }
    svg.append(svgElement('polyline', {class: `line-${f.kind}`,
      points: f.bands.map((q, i) => `${x(i).toFixed(1)},${y(q[P.p50]).toFixed(1)}`).join(' ')}));
  }
  for (const l of lines) {
    svg.append(svgElement('polyline', {class: `line-${l.kind}`,
      points: l.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}));
  }
  const legend = fans.map((f) => f.name).concat(lines.map((l) => l.name));
  legend.forEach((name, i) => {
    const kind = (fans[i] || lines[i - fans.length]).kind;
    // Above the plot, so that it hides no data.
    const lx = M.left + i * 120;
    svg.append(svgElement('rect', {class: `band-${kind}`, x: lx, y: 8, width: 14, height: 10, 'fill-opacity': 0.6}));
    svg.append(svgElement('text', {x: lx + 20, y: 17}, name));
  });
  figure.append(svg);
  return figure;
}
