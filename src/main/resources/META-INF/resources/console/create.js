// Create project: the API validates; its problem details are shown next to the fields they name.

import { api } from './api.js';
import { h, notify, clearNotice } from './ui.js';

const TYPES = ['MYSQL', 'POSTGRESQL', 'ORACLE', 'DB2', 'SQLSERVER', 'OCEANBASE_MYSQL', 'OCEANBASE_ORACLE'];
const MIGRATION_TYPES = [['SCHEMA_MIGRATION', 'Schema migration'], ['FULL_MIGRATION', 'Full migration'],
  ['INCREMENTAL_SYNC', 'Incremental synchronization'], ['FULL_VERIFICATION', 'Full verification']];

function field(label, name, attrs = {}) {
  const input = attrs.tag === 'select'
    ? h('select', { name, 'data-field': name, id: 'f-' + name.replace('.', '-') }, attrs.options.map((o) => h('option', { value: o }, o)))
    : h(attrs.tag || 'input', { name, 'data-field': name, id: 'f-' + name.replace('.', '-'), type: attrs.type, placeholder: attrs.placeholder, value: attrs.value, autocomplete: attrs.autocomplete || 'off' });
  return h('label', {}, h('span', {}, label), input, h('span.field-error', { 'data-error-for': name, hidden: true }));
}

function endpointFields(prefix, legend, defaults) {
  return h('fieldset', {}, h('legend', {}, legend), h('div.row', {},
    field('Type', `${prefix}.type`, { tag: 'select', options: TYPES }),
    field('Host', `${prefix}.host`, { placeholder: '10.0.0.5' }),
    field('Port', `${prefix}.port`, { placeholder: defaults.port, type: 'text' }),
    field('Database', `${prefix}.database`),
    field('User', `${prefix}.username`),
    field('Password', `${prefix}.password`, { type: 'password', autocomplete: 'new-password' })));
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

export function createView(root) {
  const form = h('form.create', { novalidate: true, 'aria-label': 'Create project' },
    h('div.error-summary', { id: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }),
    h('fieldset', {}, h('legend', {}, 'Project'), h('div.row', {},
      field('Name', 'name', { placeholder: 'orders-to-ob' }),
      field('Description', 'description'))),
    endpointFields('source', 'Source', { port: '3306' }),
    endpointFields('destination', 'Destination', { port: '2881' }),
    h('fieldset', { 'data-field': 'migrationTypes' }, h('legend', {}, 'Migration types'),
      h('div.row', {}, MIGRATION_TYPES.map(([value, label]) => h('label.check', {},
        h('input', { type: 'checkbox', name: 'migrationTypes', value, checked: value !== 'FULL_VERIFICATION' }), label))),
      h('span.field-error', { 'data-error-for': 'migrationTypes', hidden: true })),
    h('fieldset', {}, h('legend', {}, 'Tables and labels'), h('div.row', {},
      h('label', {}, h('span', {}, 'Tables, one per line: schema.table rows'),
        h('textarea', { name: 'objects', 'data-field': 'objects', id: 'f-objects', placeholder: 'shop.orders 250000\nshop.customers 12000' }),
        h('span.field-error', { 'data-error-for': 'objects', hidden: true })),
      h('label', {}, h('span', {}, 'Labels, one per line: key=value'),
        h('textarea', { name: 'labels', 'data-field': 'labels', id: 'f-labels', placeholder: 'team=payments' }),
        h('span.field-error', { 'data-error-for': 'labels', hidden: true })))),
    h('fieldset', {}, h('legend', {}, 'Simulation'), h('div.row', {},
      field('Rows per second', 'simulation.rowsPerSecond', { placeholder: 'default' }),
      field('Changes per second', 'simulation.changesPerSecond', { placeholder: 'default' }),
      field('Fail at percent (optional)', 'simulation.failAtPercent', { placeholder: 'never' }))),
    h('fieldset', {}, h('legend', {}, 'Alerts'), h('div.row', {},
      field('Alert when incremental latency exceeds (s)', 'alerts.incrementalLatencySeconds', { placeholder: 'service default' }),
      field('Alert when nothing moves for (s)', 'alerts.stalledForSeconds', { placeholder: 'service default' }))),
    h('div.dialog-actions', {}, h('a.button.secondary', { href: '#/projects' }, 'Cancel'), h('button', { type: 'submit', id: 'create-submit' }, 'Create project')));
  root.replaceChildren(h('h1', {}, 'Create migration project'), form);
  form.querySelector('[name="destination.type"]').value = 'OCEANBASE_MYSQL';

  function showErrors(errors) {
    form.querySelectorAll('.invalid').forEach((el) => el.classList.remove('invalid'));
    form.querySelectorAll('[data-error-for]').forEach((el) => { el.hidden = true; el.textContent = ''; });
    const summary = form.querySelector('#error-summary');
    if (!errors.length) { summary.hidden = true; return; }
    for (const { field: name, message } of errors) {
      // "objects[3].rows" belongs to the objects box; "source.port" to its own input.
      const key = [name, name.replace(/\[\d+\].*$/, ''), name.split('.')[0]]
        .find((k) => form.querySelector(`[data-error-for="${k}"]`));
      if (!key) continue;
      const slot = form.querySelector(`[data-error-for="${key}"]`);
      slot.textContent = slot.textContent ? `${slot.textContent}; ${name}: ${message}` : (key === name ? message : `${name}: ${message}`);
      slot.hidden = false;
      const input = form.querySelector(`[data-field="${key}"]`);
      if (input) input.classList.add('invalid');
    }
    summary.replaceChildren(h('strong', {}, 'The project was not created:'),
      h('ul', {}, errors.map((e) => h('li', {}, `${e.field}: ${e.message}`))));
    summary.hidden = false;
    summary.focus();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
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
    if (local.length) { showErrors(local); return; }
    const simulation = {
      rowsPerSecond: number(get('simulation.rowsPerSecond')),
      changesPerSecond: number(get('simulation.changesPerSecond')),
      failAtPercent: number(get('simulation.failAtPercent')),
    };
    const alerts = {
      incrementalLatencySeconds: decimal(get('alerts.incrementalLatencySeconds')),
      stalledForSeconds: number(get('alerts.stalledForSeconds')),
    };
    const draft = {
      name: get('name').trim(), description: get('description').trim() || undefined,
      source: endpoint('source'), destination: endpoint('destination'),
      migrationTypes: [...form.querySelectorAll('[name="migrationTypes"]:checked')].map((c) => c.value),
      objects, labels,
      simulation: Object.values(simulation).some((v) => v !== undefined) ? simulation : undefined,
      alerts: Object.values(alerts).some((v) => v !== undefined) ? alerts : undefined,
    };
    const submit = form.querySelector('#create-submit');
    submit.disabled = true;
    try {
      const created = await api.create(draft);
      clearNotice();
      notify(`Project "${created.name}" created.`);
      location.hash = `#/projects/${created.id}`;
    } catch (e) {
      if (e.fieldErrors.length) showErrors(e.fieldErrors);
      else if (e.code === 'NAME_TAKEN') showErrors([{ field: 'name', message: e.problem.detail || 'is taken' }]);
      else { showErrors([]); notify(e.message, 'error'); }
    } finally {
      submit.disabled = false;
    }
  });
  form.elements.name.focus();
  return () => {};
}
