/*
 * RIEC: the managers' dashboard in Cockpit (issue 14). A Cockpit plugin (Camunda 7.24 plugin API:
 * a custom script of config.js, default export {id, pluginPoint, render}) on the dashboard.
 *
 * The figures come from the project's web service (GET /statistieken, workers/riec/stats_web.py),
 * computed by riec.stats from the engine's history and the registers: counts and durations only,
 * no names, addresses or case numbers (R-5.2). The web service answers for the logged-in user's
 * own region and the national aggregate (R-6.1); it recognises the Cockpit session itself.
 *
 * Where the web service is: the only other origin the engine's Content-Security-Policy lets Cockpit
 * connect to (connect-src, from RIEC_VAULT_URL in application.yaml); read from this page's own header,
 * so there is one setting. Charts are plain SVG drawn here: nothing is loaded from the internet.
 * Every chart carries data-figure, every bar data-key and data-value (the browser test reads them).
 */
const SVG = 'http://www.w3.org/2000/svg';
const COLOURS = ['#1f5fa8', '#2f7fc1', '#4f9bd4', '#7ab6e2', '#2e8b57', '#c0392b'];

const STYLE = `
.riec-dash { font-size: 14px; }
.riec-dash .riec-scope { margin: 0 0 18px; }
.riec-dash h3 { font-size: 17px; margin: 14px 0 8px; }
.riec-dash .riec-cards { display: flex; flex-wrap: wrap; gap: 12px; }
.riec-dash .riec-card { border: 1px solid #d5d9de; border-radius: 4px; padding: 10px 12px; background: #fff; flex: 1 1 430px; max-width: 640px; }
.riec-dash .riec-card h4 { font-size: 14px; margin: 0 0 6px; font-weight: 600; }
.riec-dash .riec-berekend { color: #666; font-size: 12px; margin-top: 4px; }
.riec-dash .riec-note { color: #555; font-size: 12px; margin-top: 4px; }
.riec-dash .riec-fout { color: #a94442; }
.riec-dash svg text { font-family: inherit; font-size: 13px; }
`;

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, String(v)));
  if (text !== undefined) node.textContent = text;
  return node;
}

function when(iso) {
  if (!iso) return 'onbekend';
  return new Date(iso).toLocaleString('nl-NL', { dateStyle: 'short', timeStyle: 'short' });
}

function number(value) {
  return value === null || value === undefined ? '–' : value.toLocaleString('nl-NL');
}

/** A duration given in hours, readably: minutes under an hour, days from two days on. */
function duration(hours) {
  if (hours === null || hours === undefined) return '–';
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${hours.toLocaleString('nl-NL', { maximumFractionDigits: 1 })} u`;
  return `${(hours / 24).toLocaleString('nl-NL', { maximumFractionDigits: 1 })} d`;
}

function card(parent, figure, title, computedAt) {
  const box = el('div', { class: 'riec-card', 'data-figure': figure });
  box.appendChild(el('h4', {}, title));
  parent.appendChild(box);
  return {
    box,
    done(note) {
      if (note) box.appendChild(el('div', { class: 'riec-note' }, note));
      box.appendChild(el('div', { class: 'riec-berekend', 'data-computed-at': computedAt || '' }, `Berekend: ${when(computedAt)}`));
    },
  };
}

/** Horizontal bars; items: {key, label, value, colour?, text?}. centred: a funnel. */
function bars(items, { centred = false, unit = '' } = {}) {
  const width = 600, labelW = 250, valueW = 90, rowH = 24;
  const plot = width - labelW - valueW;
  const max = Math.max(1, ...items.map((i) => i.value || 0));
  const chart = svg('svg', { viewBox: `0 0 ${width} ${Math.max(rowH, items.length * rowH)}`, width: '100%', role: 'img' });
  items.forEach((item, n) => {
    const y = n * rowH;
    const w = item.value ? Math.max(2, (item.value / max) * plot) : 0;
    const x = centred ? labelW + (plot - w) / 2 : labelW;
    chart.appendChild(svg('text', { x: labelW - 8, y: y + 16, 'text-anchor': 'end' }, item.label));
    chart.appendChild(svg('rect', {
      x, y: y + 4, width: w, height: rowH - 8, rx: 2, fill: item.colour || COLOURS[n % COLOURS.length],
      class: 'riec-bar', 'data-key': item.key, 'data-value': item.value === null ? '' : item.value,
    }));
    chart.appendChild(svg('text', { x: width - valueW + 6, y: y + 16 }, item.text !== undefined ? item.text : `${number(item.value)}${unit}`));
  });
  return chart;
}

/** Grouped vertical bars per month; series: [{key, label}], rows: [{month, key: value...}]. */
function months(rows, series) {
  const width = 600, height = 190, bottom = 36, left = 30;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height + 22}`, width: '100%', role: 'img' });
  const max = Math.max(1, ...rows.flatMap((r) => series.map((s) => r[s.key] || 0)));
  const groupW = (width - left) / Math.max(1, rows.length);
  const barW = Math.min(18, (groupW - 10) / series.length);
  chart.appendChild(svg('line', { x1: left, y1: height - bottom, x2: width, y2: height - bottom, stroke: '#999' }));
  chart.appendChild(svg('text', { x: 2, y: 12 }, number(max)));
  rows.forEach((row, g) => {
    const x0 = left + g * groupW + (groupW - barW * series.length) / 2;
    series.forEach((s, n) => {
      const value = row[s.key] || 0;
      const h = (value / max) * (height - bottom - 16);
      chart.appendChild(svg('rect', {
        x: x0 + n * barW, y: height - bottom - h, width: barW - 2, height: h, fill: COLOURS[n % COLOURS.length],
        class: 'riec-bar', 'data-key': `${row.month}:${s.key}`, 'data-value': value,
      }));
    });
    const [year, month] = row.month.split('-');
    chart.appendChild(svg('text', { x: left + g * groupW + groupW / 2, y: height - bottom + 16, 'text-anchor': 'middle' },
      new Date(Number(year), Number(month) - 1, 1).toLocaleString('nl-NL', { month: 'short', year: 'numeric' })));
  });
  let x = left;
  series.forEach((s, n) => {
    chart.appendChild(svg('rect', { x, y: height + 6, width: 10, height: 10, fill: COLOURS[n % COLOURS.length] }));
    chart.appendChild(svg('text', { x: x + 14, y: height + 15 }, s.label));
    x += 16 + s.label.length * 6.2;
  });
  return chart;
}

function integrityPicture(ok) {
  const chart = svg('svg', { viewBox: '0 0 120 40', width: 120, height: 40, role: 'img' });
  const colour = ok ? '#2e8b57' : '#c0392b';
  [0, 1, 2].forEach((n) => chart.appendChild(svg('rect', {
    x: 4 + n * 36, y: 10, width: 40, height: 20, rx: 10, fill: 'none', stroke: colour, 'stroke-width': 4,
  })));
  return chart;
}

function renderScope(parent, figures, prefix) {
  const section = el('div', { class: 'riec-scope', 'data-scope': figures.scope });
  section.appendChild(el('h3', {}, figures.scopeName));
  const cards = el('div', { class: 'riec-cards' });
  section.appendChild(cards);

  const f = figures.funnel;
  const funnel = card(cards, `${prefix}-funnel`, 'Trechter: van signaal tot verstrekking', f.computedAt);
  funnel.box.appendChild(bars(f.steps.map((s, n) => ({ key: s.key, label: s.label, value: f.totals[s.key], colour: COLOURS[n] })), { centred: true }));
  funnel.done(`Daarnaast: ${f.otherCaseEnds.map((e) => `${e.label.toLowerCase()} ${number(e.count)}`).join(', ')}.`);
  funnel.box.querySelectorAll('.riec-bar').forEach((b) => b.setAttribute('data-figure-part', 'totals'));
  f.otherCaseEnds.forEach((e) => funnel.box.appendChild(el('span', { class: 'riec-extra', hidden: 'hidden', 'data-key': e.key, 'data-value': e.count })));

  const perMonth = card(cards, `${prefix}-months`, 'Trechter per maand', f.computedAt);
  if (f.months.length) perMonth.box.appendChild(months(f.months, f.steps));
  perMonth.done(f.months.length ? '' : 'Nog geen signalen.');

  const r = figures.refusals;
  const byRule = card(cards, `${prefix}-refusals-rule`, `Weigeringen per regel (totaal ${number(r.total)})`, r.computedAt);
  byRule.box.appendChild(bars(r.byRule.map((x) => ({ key: x.rule, label: x.rule, value: x.count, colour: '#c0392b' }))));
  byRule.done(r.byRule.length ? '' : 'Geen weigeringen.');
  const byReason = card(cards, `${prefix}-refusals-reason`, 'Weigeringen per reden', r.computedAt);
  byReason.box.appendChild(bars(r.byReason.map((x) => ({ key: x.code, label: x.label, value: x.count, colour: '#d35400' }))));
  byReason.done(r.byReason.length ? '' : 'Geen weigeringen.');

  const w = figures.waiting;
  const waiting = card(cards, `${prefix}-waiting`, 'Wachttijd per rol: mediaan en 90e percentiel', w.computedAt);
  const items = [];
  w.tasks.forEach((t) => {
    items.push({ key: `${t.task}:median`, label: `${t.label}: mediaan`, value: t.medianHours, colour: '#2f7fc1', text: duration(t.medianHours) });
    items.push({ key: `${t.task}:p90`, label: '90e percentiel', value: t.p90Hours, colour: '#7ab6e2', text: duration(t.p90Hours) });
  });
  waiting.box.appendChild(bars(items));
  const overdue = card(cards, `${prefix}-overdue`, 'Nu te laat (open taken over de termijn)', w.computedAt);
  overdue.box.appendChild(bars(w.tasks.map((t) => ({ key: t.task, label: t.label, value: t.overdueNow, colour: t.overdueNow ? '#c0392b' : '#2e8b57',
    text: `${number(t.overdueNow)} van ${number(t.open)}` }))));
  overdue.done();
  waiting.done(`Afgerond: ${w.tasks.map((t) => `${t.label.toLowerCase()} ${number(t.completed)}`).join(', ')}.`);
  waiting.box.querySelectorAll('.riec-bar').forEach((b) => {
    const task = w.tasks.find((t) => b.getAttribute('data-key').startsWith(`${t.task}:`));
    b.setAttribute('data-completed', task ? task.completed : 0);
  });

  const d = figures.destruction;
  const destruction = card(cards, `${prefix}-destruction`, 'Vernietiging (art. 7) en anonimisering', d.computedAt);
  // Art. 7 (R-7.1, R-7.2), the same figures as `riec retention status`: planned (term running), overdue, destroyed
  // cases; destroyed signals without a case; anonymisation decisions taken. Counts and a date only.
  destruction.box.appendChild(bars([
    { key: 'due', label: 'Gepland (termijn loopt)', value: d.due, colour: '#7ab6e2' },
    { key: 'overdue', label: 'Termijn verstreken', value: d.overdue, colour: d.overdue ? '#c0392b' : '#2e8b57' },
    { key: 'done', label: 'Vernietigd', value: d.done, colour: '#2e8b57' },
    { key: 'signalsDestroyed', label: 'Signalen zonder casus vernietigd', value: d.signalsDestroyed, colour: '#2e8b57' },
    { key: 'anonymised', label: 'Anonimiseringsbesluiten', value: d.anonymised, colour: '#2f7fc1' },
  ]));
  destruction.done([d.nextDueOn ? `Eerstvolgende vernietiging: ${new Date(`${d.nextDueOn}T12:00:00Z`).toLocaleDateString('nl-NL')}.` : '',
    d.note].filter(Boolean).join(' '));
  parent.appendChild(section);
}

function renderIntegrity(parent, i) {
  const c = card(parent, 'integrity', 'Integriteit van het verstrekkingsregister', i.computedAt);
  if (!i.available) {
    c.done('Het register is niet bereikbaar.');
    return;
  }
  c.box.appendChild(integrityPicture(i.ok));
  c.box.appendChild(el('div', { class: 'riec-integrity', 'data-ok': String(i.ok), 'data-entries': i.entries, 'data-head-seq': i.headSeq, 'data-head-hash': i.headHash },
    i.ok ? `Keten intact: ${number(i.entries)} vastleggingen, kop #${i.headSeq} ${i.headHash.slice(0, 16)}…`
      : `Keten GEBROKEN bij vastlegging #${i.brokenSeq}`));
  c.done(`Gecontroleerd: ${when(i.verifiedAt)}`);
}

async function statisticsUrl() {
  // The web service is the one other origin this page may connect to (its Content-Security-Policy).
  const page = await fetch(window.location.pathname, { method: 'HEAD', credentials: 'same-origin' });
  const policy = page.headers.get('Content-Security-Policy') || '';
  const connect = (policy.match(/connect-src([^;]*)/) || [])[1] || '';
  const origin = connect.trim().split(/\s+/).find((s) => /^https?:\/\//.test(s));
  return `${(origin || `${window.location.protocol}//${window.location.hostname}:8090`).replace(/\/+$/, '')}/statistieken`;
}

async function load(node) {
  node.textContent = '';
  const style = el('style', {}, STYLE);
  node.appendChild(style);
  const root = el('div', { class: 'riec-dash', id: 'riec-dashboard', 'data-state': 'laden' });
  root.appendChild(el('p', { class: 'riec-laden' }, 'Cijfers worden geladen…'));
  node.appendChild(root);
  let view;
  try {
    const answer = await fetch(await statisticsUrl(), { credentials: 'include', headers: { Accept: 'application/json' } });
    if (answer.status === 401 || answer.status === 403) {
      const body = await answer.json().catch(() => ({}));
      root.textContent = '';
      root.appendChild(el('p', { class: 'riec-fout' }, body.message || 'Geen toegang tot de cijfers.'));
      root.setAttribute('data-state', 'geweigerd');
      return;
    }
    if (!answer.ok) throw new Error(String(answer.status));
    view = await answer.json();
  } catch (e) {
    root.textContent = '';
    root.appendChild(el('p', { class: 'riec-fout' }, 'De cijfers zijn nu niet bereikbaar; probeer het later opnieuw.'));
    root.setAttribute('data-state', 'fout');
    return;
  }
  root.textContent = '';
  root.appendChild(el('p', {}, 'Hoe de procedure wordt gevolgd en hoe snel: alleen aantallen en doorlooptijden, geen namen of casusnummers. '
    + (view.region ? 'Uw eigen regio, en daarna het landelijke totaal van alle regio\'s.' : 'Het landelijke totaal van alle regio\'s.')));
  if (view.region) renderScope(root, view.region, 'region');
  renderScope(root, view.national, 'national');
  const integrity = el('div', { class: 'riec-cards' });
  root.appendChild(integrity);
  renderIntegrity(integrity, view.integrity);
  root.setAttribute('data-state', 'klaar');
  root.setAttribute('data-computed-at', view.computedAt);
}

export default {
  id: 'riec-dashboard',
  pluginPoint: 'cockpit.dashboard',
  priority: 20,
  render: (node) => { load(node); },
  properties: { label: 'RIEC: procedure en doorlooptijden' },
};
