// The HotSwap console: a page per resource over the public REST API only, role-aware (the token's
// allowed endpoints come from GET /api/v1/me, so a control is shown only where the call would be
// allowed). Routes live in the URL's fragment, so every page can be bookmarked and reloaded.
import { session, call, get, post, all, download, Problem } from './api.js';
import { h, cell, table, field, select, link } from './dom.js';

const ENVIRONMENTS = ['development', 'qa', 'staging', 'production'];
const view = document.getElementById('view');
let stopPolling = () => {};

let saidAt = 0;

function say(text) {
  document.getElementById('error').textContent = '';
  document.getElementById('message').textContent = text;
  saidAt = Date.now();
}

function fail(e) {
  document.getElementById('message').textContent = '';
  const d = e instanceof Problem ? e.detail : {};
  const errors = Array.isArray(d.errors) ? ' — ' + d.errors.join('; ') : '';
  document.getElementById('error').textContent = (e.message || String(e)) + errors;
}

/** Runs an action of a button or form: its problem shown, never thrown to the console. */
function act(fn) {
  return async (event) => {
    if (event) event.preventDefault();
    try { await fn(event); } catch (e) { fail(e); }
  };
}

function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

function params(query) {
  return Object.fromEntries(new URLSearchParams(query || ''));
}

/** The value typed in a form, read as its type says. */
function typedValue(text, type) {
  if (type === 'String' || type === 'Secret') return text;
  try { return JSON.parse(text); } catch { throw new Error(`'${text}' is not a ${type} value`); }
}

async function tenantPicker(current, onChange) {
  const tenants = await all('/api/v1/tenants');
  const s = select('tenant', tenants.map((t) => t.tenantId), current);
  s.addEventListener('change', () => onChange(s.value));
  return field('Tenant', s);
}

// ---- pages ----

async function loginPage() {
  const token = h('textarea', { name: 'token', rows: 4, required: true, 'aria-describedby': 'token-help' });
  return h('section', {},
    h('h1', {}, 'Sign in'),
    h('p', { id: 'token-help', class: 'muted' }, 'Paste a JWT (on the embedded platform: ./hotswap token --role Admin).'),
    h('form', { class: 'inline', id: 'login', onsubmit: act(async () => {
      session.save(token.value.trim());
      try {
        session.me = await get('/api/v1/me');
      } catch (e) {
        session.clear();
        throw e;
      }
      say(`Signed in as ${session.me.subject}.`);
      go('#/tenants');
    }) }, field('Token', token), h('button', { type: 'submit' }, 'Sign in')));
}

async function tenantsPage() {
  const tenants = await all('/api/v1/tenants');
  const rows = tenants.map((t) => [link(`#/tenants/${t.tenantId}`, t.tenantId), t.name, t.tier, t.status,
    (t.guardedEnvironments || []).join(', ')]);
  const page = h('section', {}, h('h1', {}, 'Tenants'),
    table(['Tenant', 'Name', 'Tier', 'Status', 'Guarded environments'], rows));
  if (session.can('POST /api/v1/tenants')) {
    const id = h('input', { name: 'tenantId', required: true, pattern: '[A-Za-z0-9\\-]{3,50}' });
    const name = h('input', { name: 'name' });
    const tier = select('tier', ['Free', 'Pro', 'Enterprise'], 'Pro');
    page.append(h('h2', {}, 'New tenant'), h('form', { class: 'inline', id: 'new-tenant', onsubmit: act(async () => {
      await post('/api/v1/tenants', { tenantId: id.value, name: name.value || id.value, tier: tier.value });
      say(`Created tenant ${id.value}.`);
      go(`#/tenants/${id.value}`);
    }) }, field('Tenant id', id), field('Name', name), field('Tier', tier), h('button', { type: 'submit' }, 'Create tenant')));
  }
  return page;
}

async function tenantPage(tenantId, query) {
  const env = query.env || 'development';
  const tenant = await get(`/api/v1/tenants/${tenantId}`);
  const keys = await all(`/api/v1/configs/tenant/${tenantId}?environment=${env}`);
  const envPicker = select('environment', ENVIRONMENTS, env);
  envPicker.addEventListener('change', () => go(`#/tenants/${tenantId}?env=${envPicker.value}`));
  const page = h('section', {},
    h('h1', {}, `${tenant.name} (${tenant.tenantId})`),
    h('p', { class: 'muted' }, `${tenant.tier}, ${tenant.status}; changes to ${(tenant.guardedEnvironments || []).join(', ') || 'no environment'} wait for ${tenant.approvalLevels} approval(s). `,
      link(`#/deployments?tenant=${tenantId}`, 'Deployments'), ' · ', link(`#/profiles?tenant=${tenantId}`, 'Profiles'), ' · ',
      link(`#/schemas?tenant=${tenantId}`, 'Schemas'), ' · ', link(`#/audit?tenant=${tenantId}`, 'Audit')),
    h('div', { class: 'toolbar' }, field('Environment', envPicker)),
    table(['Key', 'Value', 'Type', 'Version', 'Source'], keys.map((c) => [link(`#/keys/${c.configId}`, c.key),
      h('code', {}, cell(c.value)), c.type, 'v' + c.version, h('span', { class: 'pill' }, c.source || 'override')]),
    `Effective values in ${env}`));
  if (session.can('POST /api/v1/configs')) {
    const key = h('input', { name: 'key', required: true, placeholder: 'feature.new_ui' });
    const type = select('type', ['String', 'Number', 'Boolean', 'Json', 'Secret'], 'String');
    const value = h('input', { name: 'value', required: true });
    page.append(h('h2', {}, 'New key'), h('form', { class: 'inline', id: 'new-key', onsubmit: act(async () => {
      const r = await post('/api/v1/configs', { tenantId, environment: env, key: key.value, type: type.value,
        value: typedValue(value.value, type.value) });
      if (r.status === 202) {
        say(`Held for approval: ${r.body.approvalId}.`);
        return;
      }
      say(`Created ${key.value} (v${r.body.version}).`);
      go(`#/keys/${r.body.configId}`);
    }) }, field('Key', key), field('Type', type), field('Value', value), h('button', { type: 'submit' }, 'Create key')));
  }
  return page;
}

/** Two versions' values side by side, and each change with its JSON Pointer. */
async function diffView(configId, from, to) {
  const [a, b, d] = await Promise.all([get(`/api/v1/configs/${configId}/versions/${from}`), get(`/api/v1/configs/${configId}/versions/${to}`),
    get(`/api/v1/configs/${configId}/diff?from=${from}&to=${to}`)]);
  const pretty = (v) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));
  return h('section', { id: 'diff', 'aria-label': `Diff of v${from} and v${to}` },
    h('h2', {}, `v${from} → v${to}`),
    h('div', { class: 'cols' },
      h('div', {}, h('h3', {}, `v${from}`), h('pre', { class: 'diff-removed', id: 'diff-from' }, pretty(a.value))),
      h('div', {}, h('h3', {}, `v${to}`), h('pre', { class: 'diff-added', id: 'diff-to' }, pretty(b.value)))),
    table(['Change', 'Where', 'Was', 'Now'], d.changes.map((c) => [c.op, c.path || '(value)', h('code', {}, cell(c.oldValue)),
      h('code', {}, cell(c.newValue))])));
}

async function keyPage(configId) {
  const c = await get(`/api/v1/configs/${configId}`);
  const versions = await all(`/api/v1/configs/${configId}/versions`);
  const page = h('section', {},
    h('h1', {}, c.key),
    h('p', { class: 'muted' }, link(`#/tenants/${c.tenantId}?env=${c.environment}`, `${c.tenantId} · ${c.environment}`),
      ` · ${c.type} · v${c.version} · by ${c.updatedBy}`),
    h('pre', { id: 'current-value' }, typeof c.value === 'string' ? c.value : JSON.stringify(c.value, null, 2)));
  if (session.can('PUT /api/v1/configs/{configId}')) {
    const value = h('textarea', { name: 'value' }, typeof c.value === 'string' ? c.value : JSON.stringify(c.value, null, 2));
    page.append(h('form', { class: 'inline', id: 'edit-key', onsubmit: act(async () => {
      const r = await call('PUT', `/api/v1/configs/${configId}`, { value: typedValue(value.value, c.type) }, { 'If-Match': `"${c.version}"` });
      if (r.status === 202) say(`Held for approval: ${r.body.approvalId}.`);
      else { say(`Saved v${r.body.version}.`); route(); }
    }) }, field('New value', value), h('button', { type: 'submit' }, 'Save')));
  }
  if (session.can('POST /api/v1/configs/{configId}/promote') && c.environment !== 'production') {
    page.append(h('div', { class: 'toolbar' }, h('button', { type: 'button', class: 'secondary', id: 'promote', onclick: act(async () => {
      const r = await post(`/api/v1/configs/${configId}/promote`, {});
      say(r.status === 202 ? `Promotion held for approval: ${r.body.approvalId}.` : `Promoted to ${r.body.config.configId} (v${r.body.config.version}).`);
    }) }, `Promote to ${ENVIRONMENTS[ENVIRONMENTS.indexOf(c.environment) + 1]}`)));
  }
  if (session.can('POST /api/v1/deployments')) {
    const value = h('input', { name: 'candidate', required: true });
    const strategy = select('strategy', ['canary', 'direct', 'blue-green', 'rolling', 'ab-test'], 'canary');
    const steps = h('input', { name: 'steps', placeholder: '10,25,50,100' });
    const bake = h('input', { name: 'bakeTime', placeholder: 'PT5M' });
    page.append(h('h2', {}, 'Roll out a new value'), h('form', { class: 'inline', id: 'deploy', onsubmit: act(async () => {
      const body = { configId, value: typedValue(value.value, c.type), strategy: strategy.value };
      if (steps.value) body.steps = steps.value.split(',').map(Number);
      if (bake.value) body.bakeTime = bake.value;
      const r = await post('/api/v1/deployments', body);
      if (r.status === 202) say(`Deployment held for approval: ${r.body.approvalId}.`);
      go(`#/deployments/${r.body.deploymentId}`);
    }) }, field('New value', value), field('Strategy', strategy), field('Steps (%)', steps), field('Bake time', bake),
    h('button', { type: 'submit' }, 'Start deployment')));
  }
  const from = select('from', versions.map((v) => String(v.version)), String(Math.max(1, c.version - 1)));
  const to = select('to', versions.map((v) => String(v.version)), String(c.version));
  const diffSlot = h('div');
  page.append(h('h2', {}, 'History'),
    table(['Version', 'Value', 'By', 'At'], versions.map((v) => ['v' + v.version, h('code', {}, v.deleted ? '(deleted)' : cell(v.value)),
      v.updatedBy, v.updatedAt])),
    h('form', { class: 'inline', id: 'compare', onsubmit: act(async () => {
      diffSlot.replaceChildren(await diffView(configId, from.value, to.value));
    }) }, field('From version', from), field('To version', to), h('button', { type: 'submit', class: 'secondary' }, 'Compare')),
    diffSlot);
  return page;
}

async function deploymentsPage(query) {
  const tenantId = query.tenant;
  const page = h('section', {}, h('h1', {}, 'Deployments'),
    h('div', { class: 'toolbar' }, await tenantPicker(tenantId, (t) => go(`#/deployments?tenant=${t}`))));
  if (tenantId) {
    const items = await all(`/api/v1/deployments/tenant/${tenantId}`);
    page.append(table(['Deployment', 'Of', 'Strategy', 'Status', 'Share', 'Started'], items.map((d) => [
      link(`#/deployments/${d.deploymentId}`, d.deploymentId), d.configId || d.profileId, d.strategy, d.status,
      `${Math.round(d.percentage)} %`, d.createdAt])));
  }
  return page;
}

async function deploymentPage(id) {
  const status = h('p', { id: 'deployment-status' });
  const bar = h('progress', { id: 'deployment-progress', max: 100, value: 0, 'aria-label': 'Share of callers on the new value' });
  const share = h('span', { id: 'deployment-share' });
  const cohort = h('p', { class: 'muted', id: 'deployment-cohort' });
  const buttons = h('div', { class: 'toolbar' });
  const page = h('section', {}, h('h1', {}, `Deployment ${id}`), status, h('p', {}, bar, ' ', share), cohort, buttons);
  const steer = (verb, label, cls) => (session.can(`POST /api/v1/deployments/{deploymentId}/${verb}`)
    ? h('button', { type: 'button', class: cls, id: `deployment-${verb}`, onclick: act(async () => {
      await post(`/api/v1/deployments/${id}/${verb}`, verb === 'rollback' || verb === 'pause' ? { reason: `${verb} from the console` } : {});
      say(`${label}: done.`);
      await refresh();
    }) }, label) : null);
  let shownStatus = null;
  async function refresh() {
    const d = await get(`/api/v1/deployments/${id}`);
    status.textContent = `${d.strategy} of ${d.configId || d.profileId}: ${d.status}, step ${d.step} of ${(d.steps || []).length || 1}`
      + (d.nextStepAt && d.status === 'running' ? `, next step at ${d.nextStepAt}` : '') + (d.reason ? ` — ${d.reason}` : '');
    bar.value = d.percentage;
    share.textContent = `${Math.round(d.percentage)} % of callers get v${d.candidateVersion}`;
    const c = d.cohort;
    cohort.textContent = c ? `${c.instances} instances, ${c.requests} requests, ${c.errorRate == null ? '-' : (100 * c.errorRate).toFixed(1) + ' %'} errors`
      + (c.p99LatencyMs == null ? '' : `, p99 ${Math.round(c.p99LatencyMs)} ms`) : '';
    const active = d.status === 'running' || d.status === 'paused';
    if (d.status === shownStatus) return active || d.status === 'pending_approval';
    shownStatus = d.status; // the buttons change only with the status: never replaced under a user's click
    buttons.replaceChildren(...(active ? [d.status === 'running' ? steer('pause', 'Pause', 'secondary') : steer('resume', 'Resume', 'secondary'),
      steer('complete', 'Complete now', 'secondary'), steer('rollback', 'Roll back', 'danger')] : []).filter(Boolean));
    return active || d.status === 'pending_approval';
  }
  if (await refresh()) {
    // live progress: looked up every second while the deployment can still change
    const timer = setInterval(() => refresh().then((more) => { if (!more) clearInterval(timer); }).catch(fail), 1000);
    stopPolling = () => clearInterval(timer);
  }
  return page;
}

async function approvalsPage() {
  const items = await all('/api/v1/approvals?status=pending');
  const canDecide = session.can('POST /api/v1/approvals/{approvalId}/approve');
  const rows = items.map((a) => {
    const what = a.change.configId || a.change.deploymentId || a.tenantId;
    const comment = h('input', { name: 'comment', 'aria-label': `Comment on ${a.approvalId}` });
    const decide = (verb) => act(async () => {
      const r = await post(`/api/v1/approvals/${a.approvalId}/${verb}`, { comment: comment.value || undefined, changeHash: a.changeHash });
      say(`${a.approvalId}: ${r.body.status}` + (r.body.release ? ` (${r.body.release.outcome})` : '') + '.');
      route();
    });
    return [a.approvalId, a.kind, h('code', {}, what + (a.change.value !== undefined ? ' = ' + cell(a.change.value) : '')), a.requestedBy,
      `${a.approvals.length} of ${a.requiredApprovals}`, a.expiresAt,
      canDecide ? h('span', { class: 'toolbar' }, comment,
        h('button', { type: 'button', class: 'approve', onclick: decide('approve') }, 'Approve'),
        h('button', { type: 'button', class: 'danger reject', onclick: decide('reject') }, 'Reject')) : ''];
  });
  return h('section', {}, h('h1', {}, 'Approvals'),
    table(['Approval', 'Kind', 'Change', 'Requested by', 'Approved', 'Expires', ''], rows, 'Waiting for a decision'));
}

async function schemasPage(query) {
  const page = h('section', {}, h('h1', {}, 'Schemas'),
    h('div', { class: 'toolbar' }, await tenantPicker(query.tenant, (t) => go(`#/schemas?tenant=${t}`))));
  if (query.tenant) {
    const schemas = await all(`/api/v1/schemas?tenantId=${query.tenant}`);
    page.append(table(['Schema', 'Keys', 'Version', 'Compatibility', 'Definition'], schemas.map((s) => [s.schemaId, s.keyPattern || '-',
      'v' + s.version, s.compatibility, h('details', {}, h('summary', {}, 'show'), h('pre', {}, JSON.stringify(s.schema, null, 2)))])));
  }
  return page;
}

async function profilesPage(query) {
  const page = h('section', {}, h('h1', {}, 'Profiles'),
    h('div', { class: 'toolbar' }, await tenantPicker(query.tenant, (t) => go(`#/profiles?tenant=${t}`))));
  if (query.tenant) {
    const profiles = await get(`/api/v1/profiles/tenant/${query.tenant}`);
    const list = Array.isArray(profiles) ? profiles : profiles.items || [];
    page.append(table(['Profile', 'Version', 'Tags', 'Document'], list.map((p) => [p.profileId, p.version, (p.tags || []).join(', '),
      h('details', {}, h('summary', {}, 'show'), h('pre', {}, JSON.stringify(p.document, null, 2)))])));
  }
  return page;
}

async function instancesPage() {
  const items = await all('/api/v1/instances');
  return h('section', {}, h('h1', {}, 'Instances'),
    table(['Instance', 'Service', 'Environment', 'Status', 'Last heartbeat', 'Holds'], items.map((i) => [link(`#/instances/${i.instanceId}`, i.instanceId),
      i.service, i.environment, i.status, i.lastHeartbeatAt, Object.keys(i.applied || {}).length + ' values'])));
}

async function instancePage(id) {
  const i = await get(`/api/v1/instances/${id}`);
  return h('section', {}, h('h1', {}, i.instanceId), h('p', { class: 'muted' }, `${i.service} · ${i.environment} · ${i.status}`),
    table(['Value', 'Version', 'Arm', 'Error'], Object.entries(i.applied || {}).map(([k, a]) => [k, 'v' + a.version, a.arm || '-', a.applyError || ''])));
}

async function auditPage(query) {
  const tenant = h('input', { name: 'tenantId', value: query.tenant || '' });
  const from = h('input', { name: 'from', value: query.from || '', placeholder: '2026-01-01T00:00:00Z' });
  const to = h('input', { name: 'to', value: query.to || '' });
  const type = h('input', { name: 'type', value: query.type || '', placeholder: 'CONFIG_UPDATED' });
  const q = () => new URLSearchParams(Object.entries({ tenantId: tenant.value, from: from.value, to: to.value })
    .filter(([, v]) => v)).toString();
  const page = h('section', {}, h('h1', {}, 'Audit trail'),
    h('form', { class: 'inline', id: 'audit-filter', onsubmit: act(async () => {
      go(`#/audit?${new URLSearchParams(Object.entries({ tenant: tenant.value, from: from.value, to: to.value, type: type.value })
        .filter(([, v]) => v))}`);
    }) }, field('Tenant', tenant), field('From', from), field('To', to), field('Event type', type), h('button', { type: 'submit' }, 'Filter'),
    h('button', { type: 'button', class: 'secondary', onclick: act(() => download(`/api/v1/audit-logs/export?format=csv&${q()}`, 'audit.csv')) }, 'Export CSV'),
    h('button', { type: 'button', class: 'secondary', onclick: act(() => download(`/api/v1/audit-logs/export?format=json&${q()}`, 'audit.json')) }, 'Export JSON')));
  const events = (await get(`/api/v1/audit-logs?size=200&${q()}`)).items
    .filter((e) => !query.type || e.eventType === query.type.toUpperCase());
  page.append(table(['Time', 'Event', 'Tenant', 'Environment', 'Key', 'Version', 'Actor', 'Change'], events.map((e) => [e.timestamp,
    e.eventType, e.tenantId, e.environment || '-', e.key || e.resourceId || '-', e.version ? 'v' + e.version : '-', e.actor,
    h('code', {}, e.oldValue == null && e.newValue == null ? (e.detail || '') : `${e.oldValue ?? '∅'} → ${e.newValue ?? '∅'}`)]),
  'Oldest first'));
  return page;
}

// ---- routing ----

const SECTIONS = [['#/tenants', 'Tenants'], ['#/deployments', 'Deployments'], ['#/approvals', 'Approvals'], ['#/schemas', 'Schemas'],
  ['#/profiles', 'Profiles'], ['#/instances', 'Instances'], ['#/audit', 'Audit']];

function chrome(hash) {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  if (!session.me) {
    nav.replaceChildren();
    who.replaceChildren();
    return;
  }
  nav.replaceChildren(...SECTIONS.map(([href, text]) => h('a', { href, 'aria-current': hash.startsWith(href) ? 'page' : false }, text)));
  who.replaceChildren(h('span', { id: 'signed-in-as' }, `${session.me.subject} (${session.me.roles.join(', ')})`),
    h('button', { type: 'button', class: 'secondary', id: 'sign-out', onclick: () => { session.clear(); say('Signed out.'); go('#/login'); } }, 'Sign out'));
}

async function route() {
  stopPolling();
  stopPolling = () => {};
  const hash = location.hash || '#/tenants';
  const [path, query] = hash.slice(1).split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const q = params(query);
  document.getElementById('error').textContent = '';
  if (Date.now() - saidAt > 1500) document.getElementById('message').textContent = ''; // an older page's news, not this one's
  try {
    if (session.token && !session.me) session.me = await get('/api/v1/me');
  } catch (e) {
    session.clear();
  }
  if (!session.me && parts[0] !== 'login') {
    go('#/login');
    return;
  }
  chrome(hash);
  try {
    let page;
    switch (parts[0]) {
      case 'login': page = await loginPage(); break;
      case 'tenants': page = parts[1] ? await tenantPage(parts[1], q) : await tenantsPage(); break;
      case 'keys': page = await keyPage(parts[1]); break;
      case 'deployments': page = parts[1] ? await deploymentPage(parts[1]) : await deploymentsPage(q); break;
      case 'approvals': page = await approvalsPage(); break;
      case 'schemas': page = await schemasPage(q); break;
      case 'profiles': page = await profilesPage(q); break;
      case 'instances': page = parts[1] ? await instancePage(parts[1]) : await instancesPage(); break;
      case 'audit': page = await auditPage(q); break;
      default: page = await tenantsPage();
    }
    view.replaceChildren(page);
    document.title = `${page.querySelector('h1')?.textContent || 'HotSwap'} · HotSwap console`;
    view.focus();
  } catch (e) {
    view.replaceChildren(h('h1', {}, 'Could not load this page'));
    fail(e);
  }
}

window.addEventListener('hashchange', route);
route();
