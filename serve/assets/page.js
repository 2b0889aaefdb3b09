// The what-if page (docs/serve.md): levers in, a comparison on common random numbers out.
// Everything shown is built as DOM nodes with textContent: no server text is parsed as HTML.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const P = {p05: 0, p10: 1, p25: 2, p50: 3, p75: 4, p90: 5, p95: 6};

const state = {
  info: null,        // the base scenario's levers, roles, periods (GET /api/levers)
  moves: new Map(),  // lever key -> amount
  values: [],        // {key, value}: any key path
  events: [],        // {roles, from, to, demand_growth_add}
  sent: null,        // the last request sent
  result: null,      // the last comparison answered
  controller: null,  // aborts the request in flight when a newer change comes
  changedAt: 0,
  paths: 5000,       // the server's paths per what-if
  answers: 0,        // what-ifs answered in full (the page's data-answered, for tests)
};
// For the browser test (tests/browser/check_serve.py): what the page shows.
window.talentcastState = state;
// Each answer's timing, for the browser test and docs/performance.md: from the change to the
// charts drawn, in ms, with the server's own time.
window.talentcastTimings = [];

const $ = (id) => document.getElementById(id);

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

function setStatus(text, kind = '') {
  const s = $('status');
  s.textContent = text;
  s.className = kind;
}

async function api(path, body = undefined, signal = undefined) {
  const options = body === undefined ? {signal} : {
    method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body), signal,
  };
  const response = await fetch(path, options);
  const type = response.headers.get('Content-Type') || '';
  const data = type.startsWith('application/json') ? await response.json() : await response.blob();
  return {status: response.status, data};
}

// ---------------------------------------------------------------- numbers and words

const grouped = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});
function ratioText(x) { return x.toFixed(x < 10 ? 3 : 1); }
function signed(text, x) { return x > 0 ? '+' + text : text; }
function percentText(x) { return signed((100 * x).toFixed(1), x) + '%'; }

// How a per-path change reads, from its percentiles: at least 90% or 75% of paths on one side.
function changeWords(q, noun) {
  if (q.every((x) => x === 0)) return {text: 'unchanged on every path', kind: ''};
  if (q[P.p10] > 0) return {text: `very likely ${noun.up} (at least 90% of paths)`, kind: 'up'};
  if (q[P.p90] < 0) return {text: `very likely ${noun.down} (at least 90% of paths)`, kind: 'down'};
  if (q[P.p25] > 0) return {text: `likely ${noun.up} (at least 75% of paths)`, kind: 'up'};
  if (q[P.p75] < 0) return {text: `likely ${noun.down} (at least 75% of paths)`, kind: 'down'};
  return {text: `as likely ${noun.up} as not`, kind: ''};
}

// How a probability reads (the IPCC's calibrated language, stated as such).
function probabilityWords(p) {
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

function drawCharts() {
  const charts = $('charts');
  charts.replaceChildren();
  const r = state.result;
  if (!r) return;
  const s = r.series.find((x) => x.name === $('role').value) || r.series[0];
  const periods = state.info.periods;
  const salaryUnit = `${state.info.currency} per ${state.info.salary_unit}`;
  const mark = s.salary_synthetic ? ' (synthetic salary data)' : '';
  charts.append(chart({title: `${s.title}: supply-demand ratio (candidates per opening)`, periods,
    fans: [{name: 'base', kind: 'base', bands: s.ratio.base}, {name: 'what-if', kind: 'whatif', bands: s.ratio.whatif}],
    format: (v) => v.toFixed(2)}));
  charts.append(chart({title: `${s.title}: change in the ratio, per path (what-if − base)`, periods,
    fans: [{name: 'difference', kind: 'difference', bands: s.ratio.difference}], zero: true,
    format: (v) => signed(v.toFixed(3), v)}));
  if (s.salary_median) {
    charts.append(chart({title: `${s.title}: median salary, ${salaryUnit}${mark}`, periods,
      fans: [{name: 'base', kind: 'base', bands: s.salary_median.base}, {name: 'what-if', kind: 'whatif', bands: s.salary_median.whatif}],
      format: (v) => grouped.format(v)}));
    charts.append(chart({title: `${s.title}: change in median salary, per path (what-if / base − 1)${mark}`, periods,
      fans: [{name: 'change', kind: 'difference', bands: s.salary_median.ratio.map((q) => q.map((v) => v - 1))}],
      zero: true, format: (v) => percentText(v)}));
  }
  charts.append(chart({title: `${s.title}: probability of a shortage (fewer candidates than openings)`, periods,
    lines: [{name: 'base', kind: 'base', values: s.shortage.base}, {name: 'what-if', kind: 'whatif', values: s.shortage.whatif}],
    guides: [0.66, 0.9], domain: [0, 1], format: (v) => `${Math.round(100 * v)}%`}));
}

// ---------------------------------------------------------------- key numbers

function cell(row, main, range = '', words = null) {
  const td = element('td', {class: 'n'}, main);
  if (range) td.append(' ', element('span', {class: 'range'}, range));
  if (words) td.append(element('span', {class: `words ${words.kind}`}, words.text));
  row.append(td);
}

function drawTable() {
  const table = $('key-numbers');
  table.replaceChildren();
  const r = state.result;
  if (!r) return;
  const t = state.info.periods.indexOf($('period').value);
  const head = element('tr');
  for (const h of ['role', 'ratio, base', 'ratio, what-if', 'change in ratio',
                   `median salary, base (${state.info.currency}/${state.info.salary_unit})`,
                   'median salary, what-if', 'change in median salary', 'P(shortage): base → what-if']) {
    head.append(element('th', {}, h));
  }
  table.append(head);
  for (const s of r.series) {
    const row = element('tr', {'data-role': s.name});
    row.append(element('td', {}, s.title));
    const b = s.ratio.base[t], w = s.ratio.whatif[t], d = s.ratio.difference[t];
    cell(row, ratioText(b[P.p50]), `[${ratioText(b[P.p10])}, ${ratioText(b[P.p90])}]`);
    cell(row, ratioText(w[P.p50]), `[${ratioText(w[P.p10])}, ${ratioText(w[P.p90])}]`);
    const dt = (v) => signed(v.toFixed(3), v);
    cell(row, dt(d[P.p50]), `[${dt(d[P.p10])}, ${dt(d[P.p90])}]`, changeWords(d, {up: 'higher', down: 'lower'}));
    if (s.salary_median) {
      const sb = s.salary_median.base[t], sw = s.salary_median.whatif[t];
      const sr = s.salary_median.ratio[t].map((v) => v - 1);
      cell(row, grouped.format(sb[P.p50]), `[${grouped.format(sb[P.p10])}, ${grouped.format(sb[P.p90])}]`);
      cell(row, grouped.format(sw[P.p50]), `[${grouped.format(sw[P.p10])}, ${grouped.format(sw[P.p90])}]`);
      cell(row, percentText(sr[P.p50]), `[${percentText(sr[P.p10])}, ${percentText(sr[P.p90])}]`,
           changeWords(sr, {up: 'higher', down: 'lower'}));
    } else {
      for (let i = 0; i < 3; ++i) cell(row, '');
    }
    const pb = s.shortage.base[t], pw = s.shortage.whatif[t];
    cell(row, `${Math.round(100 * pb)}% → ${Math.round(100 * pw)}%`, '',
         {text: `${probabilityWords(pb)} → ${probabilityWords(pw)}`, kind: ''});
    table.append(row);
  }
}

function drawProvenance() {
  const r = state.result;
  $('provenance').textContent = r ? `Base: ${state.info.title}. ${grouped.format(r.paths)} paths ` +
    `on common random numbers, seed ${r.seed}; each path's difference is the effect of the ` +
    `changes alone. Reproduce with the downloaded what-if: talentcast compare BASE whatif.toml ` +
    `--paths ${r.paths} --seed ${r.seed}.` : '';
}

// ---------------------------------------------------------------- the what-if

function request(paths = undefined) {
  const body = {
    scenario: $('scenario').value,
    levers: [...state.moves].filter(([, by]) => by !== 0).map(([key, by]) => ({key, by})),
    values: state.values,
    events: state.events,
  };
  if (paths !== undefined) body.paths = paths;
  return body;
}

function clearProblems() {
  for (const p of document.querySelectorAll('.problem')) { p.textContent = ''; p.hidden = true; }
}

function showProblems(body, data) {
  clearProblems();
  const general = [];
  for (const p of data.problems || []) {
    let slot = null;
    if (p.where === 'lever' && body.levers[p.index]) {
      slot = document.querySelector(`[data-lever="${CSS.escape(body.levers[p.index].key)}"] .problem`);
    } else if (p.where === 'value') {
      slot = document.querySelector(`#values li:nth-child(${p.index + 1}) .problem`);
    } else if (p.where === 'event') {
      slot = document.querySelector(`#events li:nth-child(${p.index + 1}) .problem`);
    }
    const text = p.key && p.where !== 'lever' ? `${p.key}: ${p.message}` : p.message;
    if (slot) { slot.textContent = text; slot.hidden = false; } else general.push(text);
  }
  if (general.length) { $('problems').textContent = general.join('\n'); $('problems').hidden = false; }
  setStatus(`The what-if is not valid: ${data.text.split('\n').pop()}; see the messages beside the levers.`, 'bad');
}

// A first answer at 1,000 paths comes sooner; the same paths' answer at the server's full count
// then refines it (both on the base's first paths, so the first is a sample of the second).
async function run() {
  if (state.controller) state.controller.abort();
  const controller = new AbortController();
  state.controller = controller;
  const changedAt = state.changedAt || performance.now();
  const steps = state.paths > 1000 ? [1000, state.paths] : [state.paths];
  for (const paths of steps) {
    const body = request(paths);
    state.sent = body;
    setStatus(paths === steps[0] ? 'Running the what-if…' : 'Refining…', 'busy');
    let answer;
    const asked = performance.now();
    try {
      answer = await api('/api/compare', body, controller.signal);
    } catch (e) {
      if (e.name !== 'AbortError') setStatus(`The server did not answer: ${e.message}`, 'bad');
      return;
    }
    if (state.controller !== controller || answer.status === 409) return;  // a newer change runs
    if (answer.status !== 200) { showProblems(body, answer.data); return; }
    const received = performance.now();
    clearProblems();
    state.result = answer.data;
    drawTable();
    drawCharts();
    drawProvenance();
    const drawn = performance.now();
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    if (state.controller !== controller) return;
    const ms = performance.now() - changedAt;
    window.talentcastTimings.push({ms, paths: answer.data.paths, server_seconds: answer.data.seconds,
                                   waited_ms: asked - changedAt, fetch_ms: received - asked,
                                   draw_ms: drawn - received, paint_ms: performance.now() - drawn});
    const changes = body.levers.length + body.values.length + body.events.length;
    const last = paths === steps[steps.length - 1];
    setStatus(`${changes} change${changes === 1 ? '' : 's'}; ${grouped.format(answer.data.paths)} ` +
              `paths on common random numbers, in ${(ms / 1000).toFixed(2)} s` +
              (last ? '.' : '; refining…'), last ? '' : 'busy');
    if (last) document.body.dataset.answered = String(++state.answers);
  }
}

function changed() {
  state.changedAt = performance.now();
  run();
}

async function download(path, fallbackName) {
  const body = request();
  const answer = await api(path, body);
  if (answer.status !== 200) { showProblems(body, answer.data); return; }
  const link = element('a', {href: URL.createObjectURL(answer.data), download: fallbackName});
  document.body.append(link);
  link.click();
  link.remove();
}

// ---------------------------------------------------------------- controls

function leverControl(lever) {
  const box = element('div', {class: 'lever', 'data-lever': lever.key});
  const id = `lever-${lever.key}`;
  box.append(element('label', {for: id}, lever.label));
  const row = element('div', {class: 'row'});
  const range = element('input', {type: 'range', min: lever.low, max: lever.high, step: lever.step, value: 0, 'aria-label': lever.label});
  const number = element('input', {id, type: 'number', min: lever.low, max: lever.high, step: lever.step, value: 0});
  const unit = lever.move === 'add' ? lever.unit : '× base − 1 (0.2 = 20% more)';
  row.append(range, number, element('span', {class: 'note'}, unit));
  box.append(row);
  box.append(element('p', {class: 'base'}, `base: ${lever.base}` + (lever.source ? ` — ${lever.source}` : '') +
                                            (lever.read !== lever.key ? ` (from ${lever.read})` : '')));
  box.append(element('p', {class: 'problem', hidden: ''}));
  const set = (value) => {
    state.moves.set(lever.key, value);
    box.classList.toggle('changed', value !== 0);
    changed();
  };
  range.addEventListener('input', () => { number.value = range.value; });
  range.addEventListener('change', () => set(Number(range.value)));
  number.addEventListener('change', () => {
    const value = Number(number.value);
    range.value = number.value;
    set(Number.isFinite(value) ? value : NaN);
  });
  return box;
}

function buildLevers() {
  const holder = $('levers');
  holder.replaceChildren();
  // Graduates first: one lever per field moves every role's supply.
  const order = ['Graduates', 'Demand', 'Inflows', 'Wages'];
  const groups = new Map();
  for (const group of order) {
    const details = element('details', {'data-group': group});
    details.open = group === 'Graduates' || group === 'Demand';
    details.append(element('summary', {}, group));
    groups.set(group, details);
  }
  for (const lever of state.info.levers) groups.get(lever.group).append(leverControl(lever));
  for (const details of groups.values()) {
    if (details.children.length > 1) holder.append(details);
  }
}

function listItem(text, onRemove) {
  const li = element('li', {}, text);
  const remove = element('button', {type: 'button'}, 'remove');
  remove.addEventListener('click', onRemove);
  li.append(remove, element('p', {class: 'problem', hidden: ''}));
  return li;
}

function drawChangeLists() {
  $('events').replaceChildren(...state.events.map((e, i) => listItem(
    `${e.roles.length ? e.roles.join(', ') : 'every role'}: ${signed(String(e.demand_growth_add), e.demand_growth_add)} ` +
    `demand growth, ${e.from} to ${e.to}`,
    () => { state.events.splice(i, 1); drawChangeLists(); changed(); })));
  $('values').replaceChildren(...state.values.map((v, i) => listItem(`${v.key} = ${v.value}`,
    () => { state.values.splice(i, 1); drawChangeLists(); changed(); })));
}

function fillSelect(select, options, chosen) {
  select.replaceChildren(...options.map(([value, text]) => element('option', {value}, text)));
  if (chosen !== undefined) select.value = chosen;
}

function buildBuilders() {
  const info = state.info;
  const roles = $('event-roles');
  roles.replaceChildren(element('legend', {}, 'Roles'));
  for (const r of info.roles) {
    const label = element('label');
    label.append(element('input', {type: 'checkbox', value: r.name}), ' ' + r.name);
    roles.append(label);
  }
  const periods = info.periods.map((p) => [p, p]);
  fillSelect($('event-from'), periods, info.periods[Math.min(8, info.periods.length - 1)]);
  fillSelect($('event-to'), periods, info.periods[Math.min(11, info.periods.length - 1)]);
  fillSelect($('period'), periods, info.periods[info.periods.length - 1]);
  fillSelect($('role'), info.roles.map((r) => [r.name, r.title]).concat([['total', 'All roles (total)']]));
}

async function loadScenario() {
  const answer = await api(`/api/levers?scenario=${encodeURIComponent($('scenario').value)}`);
  if (answer.status !== 200) { setStatus('The scenario could not be read.', 'bad'); return; }
  state.info = answer.data;
  state.moves.clear();
  state.values = [];
  state.events = [];
  state.result = null;
  const banner = $('synthetic');
  banner.hidden = !state.info.synthetic;
  banner.textContent = state.info.synthetic ? `This scenario is synthetic: ${state.info.synthetic}. Its numbers are illustrative.` : '';
  buildLevers();
  buildBuilders();
  drawChangeLists();
  changed();
}

async function start() {
  const answer = await api('/api/scenarios');
  state.paths = answer.data.paths;
  fillSelect($('scenario'), answer.data.scenarios.map((s) => [s.id, `${s.file}: ${s.title}`]));
  $('scenario').addEventListener('change', loadScenario);
  $('period').addEventListener('change', drawTable);
  $('role').addEventListener('change', drawCharts);
  $('event-button').addEventListener('click', () => {
    const roles = [...document.querySelectorAll('#event-roles input:checked')].map((i) => i.value);
    state.events.push({roles, from: $('event-from').value, to: $('event-to').value,
                       demand_growth_add: Number($('event-add').value)});
    drawChangeLists();
    changed();
  });
  $('key-button').addEventListener('click', () => {
    state.values.push({key: $('key-path').value.trim(), value: $('key-value').value.trim()});
    drawChangeLists();
    changed();
  });
  $('reset').addEventListener('click', loadScenario);
  $('export-toml').addEventListener('click', () => download('/api/export/toml', 'whatif.toml'));
  $('export-report').addEventListener('click', () => download('/api/export/report', 'whatif-report.html'));
  await loadScenario();
}

document.addEventListener('DOMContentLoaded', start);
