// The what-if page (docs/serve.md): levers in, a comparison on common random numbers out. Its
// drawing is charts.js's. Everything shown is built as DOM nodes with textContent: no server text
// is parsed as HTML.
'use strict';


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
    format: changeText}));
  if (s.salary_median) {
    charts.append(chart({title: `${s.title}: median salary, ${salaryUnit}${mark}`, periods,
      fans: [{name: 'base', kind: 'base', bands: s.salary_median.base}, {name: 'what-if', kind: 'whatif', bands: s.salary_median.whatif}],
      format: (v) => grouped.format(v)}));
    charts.append(chart({title: `${s.title}: change in median salary, per path (what-if − base), ${salaryUnit}${mark}`,
      periods, fans: [{name: 'difference', kind: 'difference', bands: s.salary_median.difference}],
      zero: true, format: (v) => signed(grouped.format(v), v)}));
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
                   'median salary, what-if', 'change in median salary, per path',
                   'P(shortage): base → what-if']) {
    head.append(element('th', {}, h));
  }
  table.append(head);
  for (const s of r.series) {
    const row = element('tr', {'data-role': s.name});
    row.append(element('td', {}, s.title));
    const b = s.ratio.base[t], w = s.ratio.whatif[t], d = s.ratio.difference[t];
    cell(row, ratioText(b[P.p50]), `[${ratioText(b[P.p10])}, ${ratioText(b[P.p90])}]`);
    cell(row, ratioText(w[P.p50]), `[${ratioText(w[P.p10])}, ${ratioText(w[P.p90])}]`);
    cell(row, changeText(d[P.p50]), `[${changeText(d[P.p10])}, ${changeText(d[P.p90])}]`,
         changeWords(s.ratio.up[t], s.ratio.down[t]));
    if (s.salary_median) {
      const sb = s.salary_median.base[t], sw = s.salary_median.whatif[t];
      const sd = s.salary_median.difference[t];
      const money = (v) => signed(grouped.format(v), v);
      cell(row, grouped.format(sb[P.p50]), `[${grouped.format(sb[P.p10])}, ${grouped.format(sb[P.p90])}]`);
      cell(row, grouped.format(sw[P.p50]), `[${grouped.format(sw[P.p10])}, ${grouped.format(sw[P.p90])}]`);
      cell(row, money(sd[P.p50]), `[${money(sd[P.p10])}, ${money(sd[P.p90])}]`,
           changeWords(s.salary_median.up[t], s.salary_median.down[t]));
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
  setStatus(`The what-if is not valid: ${(data.text || '').split('\n').pop()}; see the messages ` +
            'beside the levers.', 'bad');
}

// An answer that is neither the what-if nor its problems, said in the status line: the server
// busy (503), another page's newer what-if (409), a refusal.
function showRefusal(answer) {
  const data = answer.data || {};
  const why = data.cancelled || data.error || `the server answered ${answer.status}`;
  setStatus(answer.status === 409 ? `Replaced: ${why}. Change a lever to run it again.`
                                  : `Not run: ${why}.`, 'bad');
}

// Asks until the server has room: a 503 (too many what-ifs at once) is asked again, up to 5
// times, half a second apart.
async function ask(path, body, signal) {
  for (let attempt = 0; ; ++attempt) {
    const answer = await api(path, body, signal);
    if (answer.status !== 503 || attempt === 5) return answer;
    await new Promise((done) => setTimeout(done, 500));
  }
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
      answer = await ask('/api/compare', body, controller.signal);
    } catch (e) {
      if (e.name !== 'AbortError') setStatus(`The server did not answer: ${e.message}`, 'bad');
      return;
    }
    if (state.controller !== controller) return;  // a newer change runs
    if (answer.status === 422) { showProblems(body, answer.data); return; }
    if (answer.status !== 200) { showRefusal(answer); return; }
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
  setStatus('Preparing the download…', 'busy');
  const answer = await ask(path, body);
  if (answer.status === 422) { showProblems(body, answer.data); return; }
  if (answer.status !== 200) { showRefusal(answer); return; }
  const link = element('a', {href: URL.createObjectURL(answer.data), download: fallbackName});
  document.body.append(link);
  link.click();
  link.remove();
  setStatus(`Downloaded ${fallbackName}.`);
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
  // What is typed must be a number: an empty or garbled field (which reads as '') is told, not
  // taken for 0.
  number.addEventListener('change', () => {
    const problem = box.querySelector('.problem');
    if (!typedNumber(number)) {
      problem.textContent = `expected a number from ${lever.low} to ${lever.high}`;
      problem.hidden = false;
      return;
    }
    problem.hidden = true;
    range.value = number.value;
    set(Number(number.value));
  });
  return box;
}

// Whether a number field holds a number (its value is '' when what is typed is not one).
function typedNumber(input) {
  return !input.validity.badInput && input.value.trim() !== '' && Number.isFinite(Number(input.value));
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
    if (!typedNumber($('event-add'))) {
      setStatus('The change in demand growth of an event must be a number from −1 to 1.', 'bad');
      return;
    }
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
