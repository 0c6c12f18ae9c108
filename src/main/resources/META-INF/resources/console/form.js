// The project form: create, create similar (prefilled from a project) and edit. The API validates;
// its problem details are shown next to the fields they name, in the form's own words.

import { api } from './api.js';
import { ACTIONS, editableFields } from './actions.js';
import { h, notify, clearNotice } from './ui.js';

const TYPES = ['MYSQL', 'POSTGRESQL', 'ORACLE', 'DB2', 'SQLSERVER', 'OCEANBASE_MYSQL', 'OCEANBASE_ORACLE'];
const MIGRATION_TYPES = [['SCHEMA_MIGRATION', 'Schema migration'], ['FULL_MIGRATION', 'Full migration'],
  ['INCREMENTAL_SYNC', 'Incremental synchronization'], ['FULL_VERIFICATION', 'Full verification']];

/** What each field is called on the form: the API's "source.host" reads "Source host" in messages. */
const LABELS = new Map();

function field(label, name, attrs = {}) {
  const id = 'f-' + name.replace('.', '-');
  LABELS.set(name, attrs.long || label);
  const input = attrs.tag === 'select'
    ? h('select', { name, 'data-field': name, id }, attrs.options.map((o) => h('option', { value: o }, o)))
    : h(attrs.tag || 'input', { name, 'data-field': name, id, type: attrs.type, placeholder: attrs.placeholder, value: attrs.value,
      autocomplete: attrs.autocomplete || 'off', 'aria-describedby': attrs.hint ? `${id}-hint` : undefined });
  return h('label', {}, h('span', {}, label), input,
    attrs.hint ? h('span.hint', { id: `${id}-hint` }, attrs.hint) : null,
    h('span.field-error', { 'data-error-for': name, hidden: true }));
}

function endpointFields(prefix, legend, defaults, passwordHint) {
  return h('fieldset', { 'data-group': prefix }, h('legend', {}, legend), h('div.row', {},
    field('Type', `${prefix}.type`, { tag: 'select', options: TYPES, long: `${legend} type` }),
    field('Host', `${prefix}.host`, { placeholder: '10.0.0.5', long: `${legend} host` }),
    field('Port', `${prefix}.port`, { placeholder: defaults.port, type: 'text', long: `${legend} port` }),
    field('Database', `${prefix}.database`, { long: `${legend} database` }),
    field('User', `${prefix}.username`, { long: `${legend} user` }),
    field('Password', `${prefix}.password`, { type: 'password', autocomplete: 'new-password', long: `${legend} password`, hint: passwordHint })));
}

/** "shop.orders 250000" per line; a line that does not read so is reported before anything is sent. */
function parseObjects(text) {
  const objects = [];
  const errors = [];
  text.split('\n').map((l) => l.trim()).filter(Boolean).forEach((line, i) => {
    const m = /^([^.\s]+)\.(\S+)(?:\s+(\d+))?$/.exec(line);
    if (!m) errors.push(`line ${i + 1}: write schema.table and a row count, e.g. shop.orders 250000`);
    else objects.push({ schema: m[1], table: m[2], rows: m[3] === undefined ? 0 : Number(m[3]) });
  });
  return { objects, errors };
}

function parseLabels(text) {
  const labels = {};
  const errors = [];
  text.split('\n').map((l) => l.trim()).filter(Boolean).forEach((line, i) => {
    const at = line.indexOf('=');
    if (at <= 0) errors.push(`line ${i + 1}: write key=value`);
    else labels[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  });
  return { labels, errors };
}

function number(value) {
  const v = value.trim();
  if (v === '') return undefined;
  return /^-?\d+$/.test(v) ? Number(v) : v; // not a number: sent as typed, so the API names the problem
}

/** Like number(), with a fraction allowed (seconds such as 0.5). */
function decimal(value) {
  const v = value.trim();
  if (v === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

/** A field's name in words: "source.host" → "Source host", "objects[2].rows" → "Tables, line 3: rows". */
export function fieldLabel(name) {
  if (LABELS.has(name)) return LABELS.get(name);
  const table = /^objects\[(\d+)\]\.?(.*)$/.exec(name);
  if (table) return `Tables, line ${Number(table[1]) + 1}${table[2] ? `: ${table[2]}` : ''}`;
  const top = name.split(/[.[]/)[0];
  return LABELS.get(top) || name;
}

/** The configuration a project shows, in the shape of a draft (no passwords: the API never shows one). */
function draftOf(p) {
  const endpoint = (e) => ({ type: e.type, host: e.host, port: e.port, database: e.database || undefined, username: e.username || undefined });
  return {
    name: p.name, description: p.description || undefined, source: endpoint(p.source), destination: endpoint(p.destination),
    migrationTypes: [...p.migrationTypes].sort(), objects: p.objects.map((t) => ({ schema: t.schema, table: t.table, rows: t.rows })),
    labels: { ...(p.labels || {}) }, simulation: { ...p.simulation }, alerts: { ...(p.alerts || {}) },
  };
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** An object's merge patch (RFC 7386) from before to after: changed keys, null for removed ones. */
function objectPatch(before, after) {
  const patch = {};
  for (const key of new Set([...Object.keys(before || {}), ...Object.keys(after || {})])) {
    const a = before ? before[key] : undefined;
    const b = after ? after[key] : undefined;
    if (b === undefined) { if (a !== undefined && a !== null) patch[key] = null; } else if (!same(a, b)) patch[key] = b;
  }
  return patch;
}

/** What the form changed in the original's configuration, as a merge patch (a typed password is a change). */
function changesOf(original, draft, similar) {
  const patch = {};
  for (const key of ['name', 'description']) {
    if ((draft[key] || undefined) !== (original[key] || undefined)) patch[key] = draft[key] === undefined ? null : draft[key];
  }
  // A copy without a name of its own gets the service's "<name>-clone".
  if (similar && patch.name === null) delete patch.name;
  for (const key of ['source', 'destination']) {
    const changed = objectPatch(original[key], draft[key]);
    if (Object.keys(changed).length) patch[key] = changed;
  }
  const types = [...draft.migrationTypes].sort();
  if (!same(types, original.migrationTypes)) patch.migrationTypes = draft.migrationTypes;
  if (!same(draft.objects, original.objects)) patch.objects = draft.objects;
  for (const key of ['labels', 'simulation', 'alerts']) {
    const changed = objectPatch(original[key], draft[key] || {});
    if (Object.keys(changed).length) patch[key] = changed;
  }
  return patch;
}

const MODES = {
  create: { title: () => 'Create migration project', submit: 'Create project', busy: 'Creating…', failed: 'The project was not created:' },
  similar: { title: (p) => `Create a project similar to "${p.name}"`, submit: 'Create project', busy: 'Creating…', failed: 'The project was not created:' },
  edit: { title: (p) => `Edit "${p.name}"`, submit: 'Save changes', busy: 'Saving…', failed: 'The changes were not saved:' },
};

/** Create (no original), create similar (mode 'similar') or edit (mode 'edit') over the original project. */
function projectForm(root, mode, original) {
  const m = MODES[mode];
  const passwordHint = mode === 'create' ? undefined : mode === 'edit'
    ? 'Leave empty to keep the stored password' : `Leave empty to use the password of "${original.name}"`;
  const form = h('form.create', { novalidate: true, 'aria-label': m.title(original) },
    h('div.error-summary', { id: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }),
    h('fieldset', { 'data-group': 'project' }, h('legend', {}, 'Project'), h('div.row', {},
      field('Name', 'name', mode === 'similar'
        ? { placeholder: `${original.name}-clone`, hint: `Leave empty for ${original.name}-clone` } : { placeholder: 'orders-to-ob' }),
      field('Description', 'description'))),
    endpointFields('source', 'Source', { port: '3306' }, passwordHint),
    endpointFields('destination', 'Destination', { port: '2881' }, passwordHint),
    h('fieldset', { 'data-field': 'migrationTypes', 'data-group': 'migrationTypes' }, h('legend', {}, 'Migration types'),
      h('div.row', {}, MIGRATION_TYPES.map(([value, label]) => h('label.check', {},
        h('input', { type: 'checkbox', name: 'migrationTypes', value, checked: value !== 'FULL_VERIFICATION' }), label))),
      h('span.field-error', { 'data-error-for': 'migrationTypes', hidden: true })),
    h('fieldset', { 'data-group': 'objects' }, h('legend', {}, 'Tables'), h('div.row', {},
      h('label', {}, h('span', {}, 'Tables, one per line: schema.table rows'),
        h('textarea', { name: 'objects', 'data-field': 'objects', id: 'f-objects', placeholder: 'shop.orders 250000\nshop.customers 12000' }),
        h('span.field-error', { 'data-error-for': 'objects', hidden: true })))),
    h('fieldset', { 'data-group': 'labels' }, h('legend', {}, 'Labels'), h('div.row', {},
      h('label', {}, h('span', {}, 'Labels, one per line: key=value'),
        h('textarea', { name: 'labels', 'data-field': 'labels', id: 'f-labels', placeholder: 'team=payments' }),
        h('span.field-error', { 'data-error-for': 'labels', hidden: true })))),
    h('fieldset', { 'data-group': 'simulation' }, h('legend', {}, 'Simulation'), h('div.row', {},
      field('Rows per second', 'simulation.rowsPerSecond', { placeholder: 'default' }),
      field('Changes per second', 'simulation.changesPerSecond', { placeholder: 'default' }),
      field('Fail at percent (optional)', 'simulation.failAtPercent', { placeholder: 'never' }))),
    h('fieldset', { 'data-group': 'alerts' }, h('legend', {}, 'Alerts'), h('div.row', {},
      field('Alert when incremental latency exceeds (s)', 'alerts.incrementalLatencySeconds', { placeholder: 'service default' }),
      field('Alert when nothing moves for (s)', 'alerts.stalledForSeconds', { placeholder: 'service default' }))),
    h('div.dialog-actions', {},
      h('a.button.secondary', { href: original ? `#/projects/${original.id}` : '#/projects' }, 'Cancel'),
      h('button', { type: 'submit', id: 'create-submit' }, m.submit)));
  LABELS.set('objects', 'Tables');
  LABELS.set('labels', 'Labels');
  LABELS.set('migrationTypes', 'Migration types');
  const editable = mode === 'edit' ? editableFields(original) : 'ALL';
  const intro = [];
  if (mode === 'similar') {
    intro.push(h('p.info', { id: 'form-intro' }, `Filled in from "${original.name}": change what should differ, then create. `
      + 'The new project starts as NOT STARTED, with no progress.'));
  } else if (mode === 'edit' && editable !== 'ALL') {
    intro.push(h('p.info', { id: 'form-intro' }, `While the project is ${original.status.replace('_', ' ')}, only its description, labels and alerts `
      + 'can change; the rest is fixed once a project has started (create a similar project to change it).'));
  }
  root.replaceChildren(h('p', {}, h('a', { href: original ? `#/projects/${original.id}` : '#/projects' },
    original ? `‹ ${original.name}` : '‹ Data Migration')), h('h1', {}, m.title(original)), ...intro, form);
  form.querySelector('[name="destination.type"]').value = 'OCEANBASE_MYSQL';

  const set = (name, value) => { form.elements[name].value = value === undefined || value === null ? '' : String(value); };
  if (original) {
    const p = original;
    if (mode === 'edit') set('name', p.name);
    set('description', p.description);
    for (const side of ['source', 'destination']) {
      for (const key of ['type', 'host', 'port', 'database', 'username']) set(`${side}.${key}`, p[side][key]);
    }
    form.querySelectorAll('[name="migrationTypes"]').forEach((c) => { c.checked = p.migrationTypes.includes(c.value); });
    set('objects', p.objects.map((t) => `${t.schema}.${t.table} ${t.rows}`).join('\n'));
    set('labels', Object.entries(p.labels || {}).map(([k, v]) => `${k}=${v}`).join('\n'));
    for (const key of ['rowsPerSecond', 'changesPerSecond', 'failAtPercent']) set(`simulation.${key}`, p.simulation[key]);
    for (const key of ['incrementalLatencySeconds', 'stalledForSeconds']) set(`alerts.${key}`, (p.alerts || {})[key]);
  }
  if (editable !== 'ALL') {
    // What the status does not let change is shown, not editable (a disabled fieldset takes its inputs out of the form).
    const open = new Set(editable);
    form.querySelectorAll('fieldset[data-group]').forEach((fs) => {
      if (fs.dataset.group === 'project') form.elements.name.disabled = true;
      else if (!open.has(fs.dataset.group)) fs.disabled = true;
    });
  }

  function showErrors(errors) {
    form.querySelectorAll('.invalid').forEach((el) => { el.classList.remove('invalid'); el.removeAttribute('aria-invalid'); });
    form.querySelectorAll('[data-error-for]').forEach((el) => { el.hidden = true; el.textContent = ''; });
    const summary = form.querySelector('#error-summary');
    if (!errors.length) { summary.hidden = true; return; }
    for (const { field: name, message } of errors) {
      // "objects[3].rows" belongs to the objects box; "source.port" to its own input.
      const key = [name, name.replace(/\[\d+\].*$/, ''), name.split('.')[0]]
        .find((k) => form.querySelector(`[data-error-for="${k}"]`));
      if (!key) continue;
      const slot = form.querySelector(`[data-error-for="${key}"]`);
      const text = key === name ? message : `${fieldLabel(name)} ${message}`;
      slot.textContent = slot.textContent ? `${slot.textContent}; ${text}` : text;
      slot.hidden = false;
      const input = form.querySelector(`[data-field="${key}"]`);
      if (input) { input.classList.add('invalid'); input.setAttribute('aria-invalid', 'true'); }
    }
    summary.replaceChildren(h('strong', {}, m.failed),
      h('ul', {}, errors.map((e) => h('li', {}, h('a', { href: '#', onclick: (ev) => { ev.preventDefault(); focusField(e.field); } },
        `${fieldLabel(e.field)} ${e.message}`)))));
    summary.hidden = false;
    summary.focus();
  }

  function focusField(name) {
    const key = [name, name.replace(/\[\d+\].*$/, ''), name.split('.')[0]].find((k) => form.querySelector(`[data-field="${k}"]`));
    const input = key && form.querySelector(`[data-field="${key}"]`);
    if (input) (input.matches('fieldset') ? input.querySelector('input') : input).focus();
  }

  function readDraft() {
    const get = (name) => form.elements[name].value;
    const endpoint = (p) => ({
      type: get(`${p}.type`), host: get(`${p}.host`).trim() || undefined, port: number(get(`${p}.port`)),
      database: get(`${p}.database`).trim() || undefined, username: get(`${p}.username`).trim() || undefined,
      password: get(`${p}.password`) || undefined,
    });
    const { objects, errors: objectErrors } = parseObjects(get('objects'));
    const { labels, errors: labelErrors } = parseLabels(get('labels'));
    const local = [...objectErrors.map((message) => ({ field: 'objects', message })),
      ...labelErrors.map((message) => ({ field: 'labels', message }))];
    const simulation = {
      rowsPerSecond: number(get('simulation.rowsPerSecond')),
      changesPerSecond: number(get('simulation.changesPerSecond')),
      failAtPercent: number(get('simulation.failAtPercent')),
    };
    const alerts = {
      incrementalLatencySeconds: decimal(get('alerts.incrementalLatencySeconds')),
      stalledForSeconds: number(get('alerts.stalledForSeconds')),
    };
    const drop = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    return {
      local,
      draft: {
        name: get('name').trim() || undefined, description: get('description').trim() || undefined,
        source: drop(endpoint('source')), destination: drop(endpoint('destination')),
        migrationTypes: [...form.querySelectorAll('[name="migrationTypes"]:checked')].map((c) => c.value),
        objects, labels, simulation: drop(simulation), alerts: drop(alerts),
      },
    };
  }

  async function send(draft) {
    if (mode === 'create') {
      const body = { ...draft };
      if (!Object.keys(body.simulation).length) delete body.simulation;
      if (!Object.keys(body.alerts).length) delete body.alerts;
      const created = await api.create(body);
      return [created, `Project "${created.name}" created.`];
    }
    const changes = changesOf(draftOf(original), draft, mode === 'similar');
    if (mode === 'similar') {
      const created = await api.clone(original.id, changes);
      return [created, `Project "${created.name}" created from "${original.name}".`];
    }
    if (!Object.keys(changes).length) return [original, 'Nothing changed.'];
    const saved = await api.edit(original.id, changes, original.version);
    return [saved, `Project "${saved.name}" saved.`];
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const submit = form.querySelector('#create-submit');
    if (submit.dataset.busy) return;
    const { local, draft } = readDraft();
    if (local.length) { showErrors(local); return; }
    submit.dataset.busy = 'true';
    submit.disabled = true;
    submit.textContent = m.busy;
    form.setAttribute('aria-busy', 'true');
    try {
      const [project, message] = await send(draft);
      clearNotice();
      notify(message);
      location.hash = `#/projects/${project.id}`;
    } catch (e) {
      if (e.fieldErrors && e.fieldErrors.length) showErrors(e.fieldErrors);
      else if (e.code === 'NAME_TAKEN') showErrors([{ field: 'name', message: e.problem.detail ? `is taken: ${e.problem.detail}` : 'is taken' }]);
      else if (e.status === 412) { showErrors([]); notify('The project changed since this form was opened, so nothing was saved. Reload the page to edit what it is now.', 'error'); }
      else { showErrors([]); notify(e.message, 'error'); }
    } finally {
      delete submit.dataset.busy;
      submit.disabled = false;
      submit.textContent = m.submit;
      form.removeAttribute('aria-busy');
    }
  });
  (form.elements.name.disabled ? form.elements.description : form.elements.name).focus();
}

/** Loads the project a form starts from; says so while it loads and why if it cannot. */
function withProject(root, id, render) {
  let stopped = false;
  root.replaceChildren(h('p.muted', { role: 'status' }, 'Loading the project…'));
  api.get(id).then((project) => { if (!stopped) render(project); }, (e) => {
    if (stopped) return;
    root.replaceChildren(h('h1', {}, e.status === 404 ? 'Project not found' : 'The project cannot be loaded'),
      h('p', { id: 'load-error' }, e.message),
      h('p', {}, h('button.secondary', { type: 'button', onclick: () => withProject(root, id, render) }, 'Try again'), ' ',
        h('a', { href: '#/projects' }, 'Back to Data Migration')));
  });
  return () => { stopped = true; };
}

/** #/new, or #/new?from=<id>: a create form, prefilled from that project ("Create similar project"). */
export function createView(root, query) {
  const from = query.get('from');
  if (!from) {
    projectForm(root, 'create', null);
    return () => {};
  }
  return withProject(root, from, (original) => {
    document.title = `Create similar to ${original.name} · Migration Plane`;
    projectForm(root, 'similar', original);
  });
}

/** #/projects/<id>/edit: what the project's status lets change, editable; the rest shown. */
export function editView(root, id) {
  return withProject(root, id, (original) => {
    document.title = `Edit ${original.name} · Migration Plane`;
    if (!editableFields(original).length) {
      root.replaceChildren(h('h1', {}, `Edit "${original.name}"`),
        h('p.info', { id: 'form-intro' }, `A ${original.status.replace('_', ' ')} project cannot be edited: ${ACTIONS.EDIT.why.toLowerCase()}.`),
        h('a.button', { href: `#/projects/${original.id}` }, 'Back to the project'));
      return;
    }
    projectForm(root, 'edit', original);
  });
}
