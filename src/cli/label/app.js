// gleaner label: the browser side. Labels live here until saved; the server only reads pages
// and writes the saved ones. Every request carries the token from this page's URL.
'use strict';
const token = new URLSearchParams(location.search).get('token') || '';
const LABELS = [
  ['content', 'c'], ['boilerplate', 'b'], ['teaser', 't'],
  ['promo', 'p'], ['comment', 'm'], ['noise', 'n'],
];
const state = { pages: [], index: 0, page: null, labels: [], selected: [], anchor: 0, undo: [] };
const $ = (id) => document.getElementById(id);
const api = (path, params = {}, options = {}) => {
  const query = new URLSearchParams({ token, ...params });
  return fetch(`${path}?${query}`, options).then(async (r) => {
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
    return body;
  });
};

function status(text, error = false) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

function changedBlocks() {
  const page = state.page;
  if (!page || !page.blocks) return 0;
  const base = page.saved_labels || page.blocks.map((b) => b.model_label);
  return state.labels.filter((l, i) => l !== base[i]).length;
}

function progress() {
  const saved = state.pages.filter((p) => p.saved).length;
  const changed = state.pages.filter((p) => p.changed).length;
  const unsaved = changedBlocks();
  $('progress').textContent =
    `page ${state.index + 1} of ${state.pages.length} · ${saved} of ${state.pages.length} pages saved, ` +
    `${changed} changed` + (unsaved ? ` · ${unsaved} unsaved change${unsaved > 1 ? 's' : ''}` : '');
}

function render() {
  const page = state.page;
  $('page-name').textContent = page.name;
  $('page-name').title = `saved to ${page.out_path}`;
  const main = $('blocks');
  main.textContent = '';
  if (page.error) {
    const div = document.createElement('div');
    div.className = 'page-error';
    div.textContent = page.error;
    main.append(div);
    progress();
    return;
  }
  page.blocks.forEach((block, i) => {
    const div = document.createElement('div');
    div.className = 'block';
    div.dataset.i = i;
    div.tabIndex = -1;
    const chip = document.createElement('span');
    chip.className = 'chip';
    const text = document.createElement('div');
    text.className = 'text' + (block.heading ? ' h' : '') + (block.links ? ' links' : '');
    const tag = document.createElement('span');
    tag.className = 'tag';
    tag.textContent = block.tag;
    text.append(tag, block.text);
    const score = document.createElement('div');
    score.className = 'score';
    score.textContent = block.score.toFixed(2);
    score.title = `model: ${block.model_label}, content probability ${block.score.toFixed(3)}`;
    const meter = document.createElement('div');
    meter.className = 'meter';
    const fill = document.createElement('span');
    fill.style.width = `${Math.round(block.score * 100)}%`;
    meter.append(fill);
    score.append(meter);
    div.append(chip, text, score);
    if (block.uncertain) div.classList.add('uncertain');
    div.addEventListener('click', (e) => select(i, e.shiftKey));
    main.append(div);
  });
  paint();
}

function paint() {
  const page = state.page;
  document.querySelectorAll('.block').forEach((div) => {
    const i = Number(div.dataset.i);
    const label = state.labels[i];
    div.className = div.className.replace(/\blab-\w+/g, '').trim() + ` lab-${label}`;
    div.querySelector('.chip').textContent = label;
    div.classList.toggle('changed', label !== page.blocks[i].model_label);
    div.classList.toggle('selected', state.selected.includes(i));
  });
  progress();
}

function select(i, extend = false) {
  if (!state.page || !state.page.blocks || !state.page.blocks.length) return;
  i = Math.max(0, Math.min(state.page.blocks.length - 1, i));
  if (extend) {
    const [a, b] = [Math.min(state.anchor, i), Math.max(state.anchor, i)];
    state.selected = Array.from({ length: b - a + 1 }, (_, k) => a + k);
  } else {
    state.selected = [i];
    state.anchor = i;
  }
  paint();
  const div = document.querySelector(`.block[data-i="${i}"]`);
  if (div) div.scrollIntoView({ block: 'nearest' });
}

function setLabel(label) {
  if (!state.selected.length) return;
  const before = state.selected.map((i) => [i, state.labels[i]]);
  state.undo.push(before);
  state.selected.forEach((i) => { state.labels[i] = label; });
  paint();
  status(`${state.selected.length} block${state.selected.length > 1 ? 's' : ''} → ${label}`);
  if (state.selected.length === 1) select(state.selected[0] + 1);
}

function undo() {
  const step = state.undo.pop();
  if (!step) return status('nothing to undo');
  step.forEach(([i, label]) => { state.labels[i] = label; });
  state.selected = step.map(([i]) => i);
  paint();
  status('undone');
}

function nextUncertain() {
  const blocks = state.page.blocks || [];
  const from = state.selected.length ? state.selected[state.selected.length - 1] : -1;
  for (let k = 1; k <= blocks.length; k++) {
    const i = (from + k) % blocks.length;
    if (blocks[i].uncertain) return select(i);
  }
  status('no uncertain block on this page');
}

async function save() {
  if (!state.page || state.page.error) return false;
  try {
    const result = await api('/api/save', { i: state.index }, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ labels: state.labels }),
    });
    state.page.saved_labels = state.labels.slice();
    state.pages = await api('/api/pages');
    status(`saved ${result.saved}`);
    progress();
    document.body.dataset.saved = String(Date.now());
    return true;
  } catch (e) {
    status(`not saved: ${e.message}`, true);
    return false;
  }
}

async function open(index) {
  if (state.page && changedBlocks() > 0 && !(await save())) return;
  try {
    const page = await api('/api/page', { i: index });
    state.index = index;
    state.page = page;
    state.labels = page.labels ? page.labels.slice() : [];
    if (page.saved) page.saved_labels = page.labels.slice();
    state.undo = [];
    state.selected = [];
    render();
    const first = (page.blocks || []).findIndex((b) => b.uncertain);
    if (first >= 0) select(first);
    else if ((page.blocks || []).length) select(0);
    status(page.saved ? 'resumed from the saved copy' : 'labels from the model');
    document.body.dataset.page = String(index);
  } catch (e) {
    status(`cannot open page: ${e.message}`, true);
  }
}

function palette() {
  const bar = $('palette');
  LABELS.forEach(([label, key], n) => {
    const button = document.createElement('button');
    button.className = `lab-${label}`;
    button.style.background = `var(--${label})`;
    button.dataset.label = label;
    button.innerHTML = `${label} <kbd>${key}</kbd> <kbd>${n + 1}</kbd>`;
    button.addEventListener('click', () => setLabel(label));
    bar.append(button);
  });
}

document.addEventListener('keydown', (e) => {
  if (e.altKey || e.metaKey) return;
  if (e.ctrlKey) {
    if (e.key === 'z') { e.preventDefault(); undo(); }
    if (e.key === 's') { e.preventDefault(); save(); }
    return;
  }
  const byKey = LABELS.findIndex(([, key], n) => e.key === key || e.key === String(n + 1));
  if (byKey >= 0) { e.preventDefault(); return setLabel(LABELS[byKey][0]); }
  const last = state.selected.length ? state.selected[state.selected.length - 1] : -1;
  switch (e.key) {
    case 'j': case 'ArrowDown': e.preventDefault(); select(last + 1, e.shiftKey); break;
    case 'k': case 'ArrowUp': e.preventDefault(); select(last - 1, e.shiftKey); break;
    case 'u': nextUncertain(); break;
    case 'z': undo(); break;
    case 's': save(); break;
    case ']': if (state.index + 1 < state.pages.length) open(state.index + 1); break;
    case '[': if (state.index > 0) open(state.index - 1); break;
    default: break;
  }
});

async function start() {
  palette();
  $('prev').addEventListener('click', () => state.index > 0 && open(state.index - 1));
  $('next').addEventListener('click', () => state.index + 1 < state.pages.length && open(state.index + 1));
  $('undo').addEventListener('click', undo);
  $('save').addEventListener('click', save);
  try {
    state.pages = await api('/api/pages');
    const first = state.pages.findIndex((p) => !p.saved && !p.error);
    await open(first >= 0 ? first : 0);
  } catch (e) {
    status(`cannot reach gleaner: ${e.message}`, true);
  }
}
start();
