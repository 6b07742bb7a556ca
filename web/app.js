// The console (issue 17; docs/console.md): Vue 3's browser build with its template compiler and
// Apache ECharts, served from node_modules — no build step. Every figure comes from the API as
// it is (money as the API's strings, formatted for reading only); charts draw numbers.
import { createApp, reactive, computed, watch, nextTick, onMounted, onBeforeUnmount, ref } from '/console/vendor/vue/vue.esm-browser.prod.js';
import { MESSAGES } from './i18n.js';

/**
 * ECharts' "common" build (line, bar, tooltip, legend, mark lines: what the console draws; 0.66 MB
 * against 1.03 MB for the full build) loads beside the page rather than before it: the page mounts
 * and asks the API for its figures while the charting library arrives and is parsed; a chart draws
 * when both are there. index.html starts its download early (preload).
 */
const echartsReady = new Promise((resolve, reject) => {
  const script = document.createElement('script');
  script.src = '/console/vendor/echarts/echarts.common.min.js';
  script.async = true;
  script.onload = () => resolve(window.echarts);
  script.onerror = () => reject(new Error('the charting library did not load'));
  document.head.appendChild(script);
});

const PROGRAMME_WIDE = ['trustee', 'approver', 'custodian', 'auditor'];
export const PAGES = [
  { id: 'overview', roles: PROGRAMME_WIDE },
  { id: 'risk', roles: PROGRAMME_WIDE },
  { id: 'claims', roles: [...PROGRAMME_WIDE, 'bank', 'agency'] },
  { id: 'quarters', roles: PROGRAMME_WIDE },
  { id: 'reports', roles: ['trustee', 'bank'] },
  { id: 'programmes', roles: [...PROGRAMME_WIDE, 'bank'] },
  { id: 'reconciliation', roles: ['custodian', 'trustee', 'auditor', 'approver'] },
  { id: 'ledger', roles: ['trustee', 'custodian', 'auditor'] },
];

/** Who the tab's token belongs to, as the last /v1/tokens/me said (the tab keeps it with the token). */
function storedMe() {
  try {
    return JSON.parse(sessionStorage.getItem('console.me') ?? 'null');
  } catch {
    return null;
  }
}

const state = reactive({
  token: sessionStorage.getItem('console.token'),
  // A returning tab draws its pages at once with the role it had and checks the token beside them
  // (App below): the page's figures do not wait for a round trip that only confirms the role.
  me: sessionStorage.getItem('console.token') ? storedMe() : null,
  lang: localStorage.getItem('console.lang') || 'zh-CN',
  page: (location.hash || '#overview').slice(1),
  error: null,
});

const t = (key) => MESSAGES[state.lang][key] ?? MESSAGES['zh-CN'][key] ?? key;
const statusText = (s) => MESSAGES[state.lang].statuses[s] ?? String(s ?? '').replace(/_/g, ' ');
const dutyText = (d) => MESSAGES[state.lang].dutyNames[d] ?? String(d).replace(/_/g, ' ');

/** Money strings with thousands separators, digit for digit (never through a float). */
export function fmtMoney(value) {
  if (value === null || value === undefined || value === '') return '—';
  const [int, frac] = String(value).split('.');
  const sign = int.startsWith('-') ? '-' : '';
  const digits = sign ? int.slice(1) : int;
  return `${sign}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac !== undefined ? `.${frac}` : ''}`;
}
const fmtRate = (r) => (r === null || r === undefined ? '—' : `${(Number(r) * 100).toFixed(2)}%`);

async function api(path) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${state.token}`, 'Accept-Language': state.lang } });
  if (res.status === 401) {
    logout();
    throw new Error(t('loginFailed'));
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${res.status} ${body.code ?? ''} ${body.message ?? ''}`);
  return body;
}

/** Downloads an export with the token, showing the bytes received (exports of large books stream). */
async function download(path, filename, progress) {
  const sep = path.includes('?') ? '&' : '?';
  const res = await fetch(`${path}${sep}lang=${state.lang}`, { headers: { Authorization: `Bearer ${state.token}` } });
  if (!res.ok) throw new Error(`${res.status}`);
  const reader = res.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    if (progress) progress.text = `${t('downloading')} ${(received / 1024).toFixed(0)} KB`;
  }
  if (progress) progress.text = '';
  const blob = new Blob(chunks, { type: res.headers.get('content-type') ?? 'application/octet-stream' });
  const disposition = res.headers.get('content-disposition') ?? '';
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = /filename="([^"]+)"/.exec(disposition)?.[1] ?? filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function logout() {
  sessionStorage.removeItem('console.token');
  sessionStorage.removeItem('console.me');
  state.token = null;
  state.me = null;
}

/**
 * A write with the token, through XMLHttpRequest so an upload can report its progress
 * (`onUpload(sentBytes, totalBytes)`); resolves with the status and the parsed answer, whatever
 * the status (the caller shows a refusal's code and details), and logs out on a 401.
 */
function send(method, path, body, { contentType = 'application/json', onUpload, idempotencyKey } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, path);
    xhr.setRequestHeader('Authorization', `Bearer ${state.token}`);
    if (idempotencyKey) xhr.setRequestHeader('Idempotency-Key', idempotencyKey);
    xhr.setRequestHeader('Accept-Language', state.lang);
    if (body !== undefined) xhr.setRequestHeader('Content-Type', contentType);
    if (onUpload) xhr.upload.onprogress = (e) => onUpload(e.loaded, e.lengthComputable ? e.total : null);
    xhr.onload = () => {
      if (xhr.status === 401) logout();
      let parsed = {};
      try {
        parsed = JSON.parse(xhr.responseText || '{}');
      } catch {
        parsed = { message: xhr.responseText };
      }
      resolve({ status: xhr.status, body: parsed });
    };
    xhr.onerror = () => reject(new Error(t('networkError')));
    xhr.send(body === undefined ? null : contentType === 'application/json' ? JSON.stringify(body) : body);
  });
}

/** The quarter before today's (the one a close or a report is usually for), e.g. 2026Q3. */
function previousQuarterOfToday() {
  const now = new Date();
  const q = Math.floor(now.getUTCMonth() / 3);
  return q === 0 ? `${now.getUTCFullYear() - 1}Q4` : `${now.getUTCFullYear()}Q${q}`;
}

/** A chart that redraws when its option changes and goes away with its component. */
const Chart = {
  props: ['option', 'test'],
  setup(props) {
    const el = ref(null);
    let chart = null;
    let gone = false;
    const draw = async () => {
      if (!el.value || !props.option) return;
      const echarts = await echartsReady;
      if (gone || !el.value) return;
      chart = chart ?? echarts.init(el.value);
      // No animation: the figures are there at once (and screenshots show them as they are).
      chart.setOption({ animation: false, ...props.option }, true);
    };
    onMounted(() => nextTick(draw));
    watch(() => props.option, draw, { deep: true });
    onBeforeUnmount(() => {
      gone = true;
      chart?.dispose();
    });
    return { el };
  },
  template: `<div class="chart" ref="el" :data-test="test"></div>`,
};

const ExportButtons = {
  props: ['path', 'name', 'formats'],
  setup(props) {
    const progress = reactive({ text: '', error: '' });
    const get = (format) => {
      progress.error = '';
      const sep = props.path.includes('?') ? '&' : '?';
      download(`${props.path}${sep}format=${format}`, `${props.name}.${format}`, progress).catch((e) => (progress.error = String(e.message ?? e)));
    };
    return { progress, get, t, fmts: computed(() => props.formats ?? ['csv', 'xlsx']) };
  },
  template: `<span>
    <button v-for="f in fmts" :key="f" :data-test="'export-' + name + '-' + f" @click="get(f)">{{ f === 'csv' ? t('exportCsv') : t('exportXlsx') }}</button>
    <span class="progress">{{ progress.text }}</span><span class="error">{{ progress.error }}</span></span>`,
};

const Overview = {
  components: { Chart, ExportButtons },
  setup() {
    const data = ref(null);
    const error = ref(null);
    api('/v1/console/overview').then((d) => (data.value = d)).catch((e) => (error.value = e.message));
    const option = computed(() =>
      data.value && {
        tooltip: {},
        grid: { left: 100, right: 20, top: 20, bottom: 30 },
        xAxis: { type: 'value' },
        yAxis: { type: 'category', data: data.value.banks.map((b) => b.bankName ?? b.bankCode) },
        series: [{ type: 'bar', data: data.value.banks.map((b) => Number(b.balance)), itemStyle: { color: '#b42318' } }],
      },
    );
    return { data, error, option, t, fmtMoney, fmtRate, statusText, dutyText };
  },
  template: `<div v-if="error" class="error">{{ error }}</div><div v-else-if="!data">{{ t('loading') }}</div><div v-else>
    <div class="cards">
      <div class="card"><div class="label">{{ t('reserveTotal') }}</div><div class="value" data-test="reserve-total">{{ fmtMoney(data.total) }}</div>
        <div :class="data.withinBand ? 'good' : 'bad'" data-test="within-band">{{ data.withinBand ? t('withinBand') : t('outsideBand') }}</div></div>
      <div class="card"><div class="label">{{ t('band') }}</div><div class="value" data-test="band">{{ fmtMoney(data.band.min) }} – {{ fmtMoney(data.band.max) }}</div></div>
      <div class="card"><div class="label">{{ t('topUp') }} / {{ t('excess') }}</div><div class="value" data-test="topup-excess">{{ fmtMoney(data.topUp) }} / {{ fmtMoney(data.excess) }}</div></div>
      <div class="card"><div class="label">{{ t('outstanding') }}</div><div class="value" data-test="outstanding">{{ fmtMoney(data.outstandingLoans) }}</div></div>
    </div>
    <section><h2>{{ t('balancePerBank') }}</h2>
      <Chart :option="option" test="bank-chart" />
      <table><thead><tr><th>{{ t('bank') }}</th><th>{{ t('code') }}</th><th class="num">{{ t('balance') }}</th><th>{{ t('status') }}</th><th class="num">{{ t('lossRate') }}</th></tr></thead>
      <tbody><tr v-for="b in data.banks" :key="b.bankCode" data-test="bank-row" :data-code="b.bankCode">
        <td>{{ b.bankName }}</td><td>{{ b.bankCode }}</td><td class="num" data-test="bank-balance">{{ fmtMoney(b.balance) }}</td><td>{{ statusText(b.status) }}</td><td class="num">{{ fmtRate(b.lossRate) }}</td></tr></tbody></table>
    </section>
    <section><h2>{{ t('dutiesOf') }} {{ data.duties.quarter }} <span class="muted">{{ statusText(data.duties.status) }}</span></h2>
      <table><thead><tr><th>{{ t('duty') }}</th><th>{{ t('dueOn') }}</th><th>{{ t('status') }}</th><th>{{ t('finishedAt') }}</th></tr></thead>
      <tbody><tr v-for="d in data.duties.items" :key="d.duty" data-test="duty-row"><td>{{ dutyText(d.duty) }}</td><td>{{ d.dueOn }}</td>
        <td :class="d.overdue ? 'bad' : ''">{{ statusText(d.status) }}<span v-if="d.overdue"> · {{ t('overdue') }}</span></td><td>{{ d.finishedAt ?? '' }}</td></tr></tbody></table>
    </section></div>`,
};

function rateChart(parties, quarters) {
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(2)}%`) },
    legend: { top: 0 },
    grid: { left: 60, right: 90, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: quarters },
    yAxis: { type: 'value', axisLabel: { formatter: (v) => `${(v * 100).toFixed(1)}%` } },
    series: parties.map((p, i) => ({
      name: p.name,
      type: 'line',
      data: quarters.map((q) => {
        const h = p.history.find((x) => x.quarter === q);
        return h && h.rate !== null ? Number(h.rate) : null;
      }),
      ...(i === 0
        ? { markLine: { symbol: 'none', data: [{ yAxis: 0.04, name: t('warningLine'), lineStyle: { color: '#b7791f' } }, { yAxis: 0.06, name: t('severeLine'), lineStyle: { color: '#b42318' } }], label: { formatter: '{b}' } } }
        : {}),
    })),
  };
}

const Risk = {
  components: { Chart },
  setup() {
    const data = ref(null);
    const error = ref(null);
    api('/v1/console/risk').then((d) => (data.value = d)).catch((e) => (error.value = e.message));
    const banks = computed(() => data.value && rateChart(data.value.banks, data.value.quarters));
    const agencies = computed(() => data.value && rateChart(data.value.agencies, data.value.quarters));
    return { data, error, banks, agencies, t, fmtRate, statusText };
  },
  template: `<div v-if="error" class="error">{{ error }}</div><div v-else-if="!data">{{ t('loading') }}</div><div v-else>
    <section><h2>{{ t('lossRates') }}</h2><Chart :option="banks" test="bank-rates" /></section>
    <section><h2>{{ t('lossRatesAgencies') }}</h2><Chart :option="agencies" test="agency-rates" /></section>
    <section><h2>{{ t('status') }}</h2>
      <table><thead><tr><th></th><th>{{ t('code') }}</th><th>{{ t('status') }}</th><th class="num">{{ t('lossRate') }}</th><th>{{ t('quarter') }}</th><th>{{ t('reasons') }}</th></tr></thead>
      <tbody><tr v-for="p in [...data.banks, ...data.agencies]" :key="p.code" data-test="risk-row" :data-code="p.code">
        <td>{{ p.name }}</td><td>{{ p.code }}</td><td>{{ statusText(p.status) }}</td><td class="num" data-test="risk-rate">{{ fmtRate(p.lossRate) }}</td><td>{{ p.lossRateQuarter ?? '' }}</td>
        <td><span v-for="r in p.reasons" :key="r.startedOn + r.source">{{ r.reason }} ({{ r.startedOn }}) </span></td></tr></tbody></table>
    </section></div>`,
};

const ClaimDetail = {
  props: ['id'],
  emits: ['back'],
  setup(props) {
    const claim = ref(null);
    const entries = ref([]);
    const error = ref(null);
    const canSeeLedger = ['trustee', 'custodian', 'auditor'].includes(state.me?.role);
    const actors = ref({});
    api(`/v1/claims/${props.id}`)
      .then(async (c) => {
        claim.value = c;
        // Who did each step: the claim keeps token ids; the console names them (role, party, and
        // the person for the programme-wide roles).
        const actorIds = [...new Set(Object.values(c.actors ?? {}).filter(Boolean))];
        if (actorIds.length) {
          api(`/v1/console/actors?ids=${actorIds.join(',')}`)
            .then((r) => (actors.value = Object.fromEntries(r.items.map((a) => [a.id, a]))))
            .catch(() => undefined);
        }
        if (!canSeeLedger) return;
        const ids = [c.entries.approval, c.entries.payout, ...(c.recoveries ?? []).map((r) => r.refundEntryId), c.entries.writeOff].filter(Boolean);
        entries.value = await Promise.all(ids.map((id) => api(`/v1/ledger/entries/${id}`)));
      })
      .catch((e) => (error.value = e.message));
    const steps = computed(() => {
      const c = claim.value;
      if (!c) return [];
      return [
        ['filed', c.claimDate, null],
        ['recommended', c.reviewedOn, c.actors.reviewedBy, c.reviewDecision && `${c.reviewDecision}: ${c.reviewReason ?? ''}`],
        ['approved', c.approvedOn, c.actors.approvedBy],
        ['paid', c.paidOn, c.actors.paidBy],
        ['receipted', c.receiptedOn, null],
        ['written_off', c.writtenOffOn, c.actors.writtenOffBy],
      ].filter((s) => s[1]);
    });
    const who = (id) => {
      if (!id) return '—';
      const a = actors.value[id];
      if (!a) return id.slice(0, 8);
      return [t('roleNames')[a.role] ?? a.role, a.partyCode, a.label].filter(Boolean).join(' · ');
    };
    return { claim, entries, error, steps, t, fmtMoney, statusText, canSeeLedger, who };
  },
  template: `<section data-test="claim-detail"><h2><button @click="$emit('back')">← {{ t('back') }}</button> {{ t('claim') }} {{ id }}</h2>
    <div v-if="error" class="error">{{ error }}</div><div v-else-if="!claim">{{ t('loading') }}</div><div v-else>
      <div class="cards">
        <div class="card"><div class="label">{{ t('status') }}</div><div class="value" data-test="claim-status">{{ statusText(claim.status) }}</div></div>
        <div class="card"><div class="label">{{ t('compensation') }}</div><div class="value" data-test="claim-compensation">{{ fmtMoney(claim.compensation) }}</div></div>
        <div class="card"><div class="label">{{ t('bank') }}</div><div class="value">{{ claim.bankCode }}</div></div>
      </div>
      <h3>{{ t('breakdown') }}</h3>
      <ol class="steps" data-test="claim-breakdown"><li v-for="(b, i) in claim.breakdown" :key="i">{{ b.text }} <span class="muted">{{ b.rule }}</span></li></ol>
      <h3>{{ t('steps') }}</h3>
      <table data-test="claim-steps"><tbody><tr v-for="s in steps" :key="s[0]"><td>{{ statusText(s[0]) }}</td><td>{{ s[1] }}</td><td class="muted" data-test="step-actor">{{ t('by') }} {{ who(s[2]) }}</td><td>{{ s[3] ?? '' }}</td></tr></tbody></table>
      <template v-if="canSeeLedger"><h3>{{ t('entries') }}</h3>
      <table data-test="claim-entries"><thead><tr><th>#</th><th>{{ t('memo') }}</th><th>{{ t('account') }}</th><th class="num">{{ t('debit') }}</th><th class="num">{{ t('credit') }}</th></tr></thead>
        <tbody><template v-for="e in entries" :key="e.id"><tr v-for="(l, i) in e.lines" :key="e.id + i"><td>{{ i === 0 ? e.sequence : '' }}</td><td>{{ i === 0 ? e.memo : '' }}</td><td>{{ l.account }}</td><td class="num">{{ fmtMoney(l.debit) }}</td><td class="num">{{ fmtMoney(l.credit) }}</td></tr></template></tbody></table></template>
    </div></section>`,
};

const Claims = {
  components: { Chart, ClaimDetail, ExportButtons },
  setup() {
    const data = ref(null);
    const list = ref([]);
    const error = ref(null);
    const selected = ref(null);
    const filter = ref('');
    const banks = ref([]);
    const statementBank = ref(state.me?.role === 'bank' ? state.me.partyCode : '');
    api('/v1/console/claims-pipeline').then((d) => (data.value = d)).catch((e) => (error.value = e.message));
    api('/v1/banks?limit=100').then((b) => {
      banks.value = b.items;
      if (!statementBank.value && b.items.length) statementBank.value = b.items[0].code;
    });
    const load = () => api(`/v1/claims?limit=200${filter.value ? `&status=${filter.value}` : ''}`).then((d) => (list.value = d.items));
    watch(filter, load, { immediate: true });
    const option = computed(() =>
      data.value && {
        tooltip: {},
        grid: { left: 60, right: 20, top: 20, bottom: 40 },
        xAxis: { type: 'category', data: data.value.statuses.map((s) => statusText(s.status)) },
        yAxis: { type: 'value' },
        series: [{ type: 'bar', data: data.value.statuses.map((s) => s.count), itemStyle: { color: '#b42318' } }],
      },
    );
    return { data, list, error, selected, filter, option, banks, statementBank, t, fmtMoney, statusText };
  },
  template: `<div v-if="error" class="error">{{ error }}</div><div v-else-if="!data">{{ t('loading') }}</div>
    <ClaimDetail v-else-if="selected" :id="selected" @back="selected = null" />
    <div v-else>
      <div class="cards"><div class="card" v-for="s in data.statuses" :key="s.status" :data-test="'status-' + s.status">
        <div class="label">{{ statusText(s.status) }}</div><div class="value" data-test="status-count">{{ s.count }}</div><div data-test="status-amount">{{ fmtMoney(s.compensation) }}</div></div></div>
      <section><h2>{{ t('claims') }}</h2><Chart :option="option" test="pipeline-chart" /></section>
      <section><h2>{{ t('reviewsOverdue') }} <span data-test="reviews-overdue-count">{{ data.reviewsOverdue.length }}</span></h2>
        <table><tbody><tr v-for="c in data.reviewsOverdue" :key="c.claimId" class="clickable" @click="selected = c.claimId"><td>{{ c.claimId }}</td><td>{{ c.bankCode }}</td><td>{{ statusText(c.status) }}</td><td>{{ t('reviewDueOn') }} {{ c.reviewDueOn }}</td></tr></tbody></table></section>
      <section><h2>{{ t('refundsOverdue') }} <span data-test="refunds-overdue-count">{{ data.refundsOverdue.length }}</span></h2>
        <table><tbody><tr v-for="r in data.refundsOverdue" :key="r.recoveryId" class="clickable" @click="selected = r.claimId"><td>{{ r.claimId }}</td><td>{{ r.bankCode }}</td><td class="num">{{ fmtMoney(r.refund) }}</td><td>{{ t('refundDueOn') }} {{ r.refundDueOn }}</td></tr></tbody></table></section>
      <section v-if="data.marginTopUpsOverdue.length"><h2>{{ t('marginOverdue') }}</h2>
        <table><tbody><tr v-for="m in data.marginTopUpsOverdue" :key="m.agencyCode"><td>{{ m.agencyName }}</td><td class="num">{{ fmtMoney(m.shortfall) }}</td><td>{{ t('topUpDueOn') }} {{ m.topUpDueOn }}</td></tr></tbody></table></section>
      <section><h2>{{ t('claimList') }}
          <select v-model="filter" data-test="claim-filter"><option value="">{{ t('all') }}</option><option v-for="s in data.statuses" :key="s.status" :value="s.status">{{ statusText(s.status) }}</option></select>
          <span class="spacer"></span>
          <select v-model="statementBank" v-if="banks.length > 1 && $root.me.role !== 'bank'"><option v-for="b in banks" :key="b.code" :value="b.code">{{ b.name }}</option></select>
          <ExportButtons v-if="statementBank" :path="'/v1/claims/statement?bankCode=' + statementBank" name="claims" :formats="['csv']" /></h2>
        <table><thead><tr><th>ID</th><th>{{ t('bank') }}</th><th>{{ t('status') }}</th><th>{{ t('claimDate') }}</th><th class="num">{{ t('compensation') }}</th></tr></thead>
        <tbody><tr v-for="c in list" :key="c.id" class="clickable" data-test="claim-row" :data-id="c.id" @click="selected = c.id"><td>{{ c.id.slice(0, 8) }}</td><td>{{ c.bankCode }}</td><td>{{ statusText(c.status) }}</td><td>{{ c.claimDate }}</td><td class="num">{{ fmtMoney(c.compensation) }}</td></tr></tbody></table></section>
    </div>`,
};

const Quarters = {
  components: { ExportButtons },
  setup() {
    const data = ref(null);
    const placements = reactive({});
    const error = ref(null);
    const load = () =>
      api('/v1/console/quarters')
        .then(async (d) => {
          data.value = d;
          for (const q of d.items) if (q.placementId) placements[q.placementId] = await api(`/v1/placements/${q.placementId}`).catch(() => null);
        })
        .catch((e) => (error.value = e.message));
    load();
    // The trustee closes a quarter by hand; the close answers when every duty due has run, and the
    // page shows the duties as they finish meanwhile (each commits on its own, so the run's view
    // moves while the request is in flight).
    const canClose = state.me?.role === 'trustee';
    const close = reactive({ quarter: previousQuarterOfToday(), running: false, done: 0, total: 0, current: '', error: '', result: '' });
    let poll = null;
    const watchRun = async () => {
      const run = await api(`/v1/quarters/${close.quarter}`).catch(() => null);
      if (!run || !close.running) return;
      close.total = run.duties.length;
      close.done = run.duties.filter((d) => d.status === 'done').length;
      close.current = run.duties.find((d) => d.status === 'running')?.duty ?? run.duties.find((d) => d.status !== 'done')?.duty ?? '';
    };
    const runClose = async () => {
      Object.assign(close, { running: true, done: 0, total: 0, current: '', error: '', result: '' });
      poll = setInterval(watchRun, 400);
      try {
        const res = await send('POST', `/v1/quarters/${encodeURIComponent(close.quarter)}/close`, {});
        if (res.status >= 300) {
          close.error = `${res.body.code ?? res.status} ${res.body.message ?? ''}`;
        } else {
          close.total = res.body.duties?.length ?? 0;
          close.done = (res.body.duties ?? []).filter((d) => d.status === 'done').length;
          close.result = statusText(res.body.status);
          await load();
        }
      } catch (e) {
        close.error = String(e.message ?? e);
      } finally {
        clearInterval(poll);
        close.running = false;
      }
    };
    onBeforeUnmount(() => clearInterval(poll));
    return { data, placements, error, t, fmtMoney, statusText, dutyText, canClose, close, runClose };
  },
  template: `<div v-if="error" class="error">{{ error }}</div><div v-else-if="!data">{{ t('loading') }}</div><div v-else>
    <section v-if="canClose" data-test="close-form"><h2>{{ t('closeQuarter') }}</h2>
      <form @submit.prevent="runClose"><label>{{ t('quarter') }} <input v-model="close.quarter" data-test="close-quarter" size="8" /></label>
        <button class="primary" type="submit" :disabled="close.running" data-test="close-run">{{ t('runClose') }}</button>
        <span class="progress" data-test="close-progress" v-if="close.running || close.total">{{ t('dutiesDone') }} {{ close.done }} / {{ close.total || '…' }}<span v-if="close.current"> · {{ dutyText(close.current) }}</span></span>
        <span data-test="close-result">{{ close.result }}</span> <span class="error" data-test="close-error">{{ close.error }}</span></form></section>
    <p v-if="!data.items.length">{{ t('none') }}</p>
    <section v-for="q in [...data.items].reverse()" :key="q.quarter" data-test="quarter" :data-quarter="q.quarter">
      <h2>{{ q.quarter }} <span class="muted">{{ statusText(q.status) }}</span><span class="spacer"></span>
        <ExportButtons :path="'/v1/quarters/' + q.quarter + '/report.xlsx'" :name="'quarter-' + q.quarter" :formats="['xlsx']" /></h2>
      <div class="cards"><div class="card" v-if="q.custodyFee"><div class="label">{{ t('custodyFee') }}</div><div class="value" data-test="custody-fee">{{ fmtMoney(q.custodyFee.total) }}</div></div></div>
      <table><thead><tr><th>{{ t('duty') }}</th><th>{{ t('status') }}</th><th>{{ t('finishedAt') }}</th></tr></thead>
        <tbody><tr v-for="d in q.duties" :key="d.duty"><td>{{ dutyText(d.duty) }}</td><td>{{ statusText(d.status) }}</td><td>{{ d.finishedAt ?? '' }}</td></tr></tbody></table>
      <h3>{{ t('lossRates') }}</h3>
      <table><thead><tr><th>{{ t('bank') }}</th><th class="num">{{ t('lossRate') }}</th><th>{{ t('status') }}</th></tr></thead>
        <tbody><tr v-for="r in q.lossRates.banks" :key="r.bankCode" data-test="quarter-rate"><td>{{ r.bankCode }}</td><td class="num">{{ r.rateShown ?? r.rate }}</td><td>{{ statusText(r.status) }}</td></tr></tbody></table>
      <template v-if="q.placementId && placements[q.placementId]"><h3>{{ t('placement') }} · {{ statusText(placements[q.placementId].status) }}</h3>
        <table><thead><tr><th>{{ t('from') }}</th><th>{{ t('to') }}</th><th class="num">{{ t('amount') }}</th><th>{{ t('reference') }}</th><th>{{ t('status') }}</th></tr></thead>
        <tbody><tr v-for="x in placements[q.placementId].transfers" :key="x.id"><td>{{ x.fromBankCode }}</td><td>{{ x.toBankCode }}</td><td class="num">{{ fmtMoney(x.amount) }}</td><td>{{ x.reference }}</td><td>{{ statusText(x.status) }}</td></tr>
          <tr v-if="!placements[q.placementId].transfers.length"><td colspan="5">{{ t('none') }}</td></tr></tbody></table></template>
    </section></div>`,
};

/**
 * Bank reports (报送): a bank files its quarterly report as the CSV its spreadsheet exports (the
 * Chinese headers are accepted) — the upload shows its progress, then the check; a refused file
 * lists every bad row with its line, field and reason. The bank's reports, every version, below.
 */
const Reports = {
  setup() {
    const isBank = state.me?.role === 'bank';
    const form = reactive({ bankCode: isBank ? state.me.partyCode : '', quarter: previousQuarterOfToday(), file: null });
    const upload = reactive({ phase: '', percent: 0, result: null, problems: [], error: '' });
    const reports = ref(null);
    const load = () => {
      if (!form.bankCode) return;
      api(`/v1/bank-reports?bankCode=${encodeURIComponent(form.bankCode)}`)
        .then((r) => (reports.value = r.items))
        .catch((e) => (upload.error = e.message));
    };
    load();
    const pick = (e) => (form.file = e.target.files[0] ?? null);
    // One Idempotency-Key per file sent: pressing Upload again after a network error (the answer
    // lost, maybe not the report) sends the same key, so the report is filed once.
    let unanswered = null;
    const submit = async () => {
      Object.assign(upload, { phase: 'uploading', percent: 0, result: null, problems: [], error: '' });
      const f = form.file;
      const sig = [form.bankCode, form.quarter, f.name, f.size, f.lastModified].join('|');
      const idempotencyKey = unanswered?.sig === sig ? unanswered.key : crypto.randomUUID();
      unanswered = { sig, key: idempotencyKey };
      try {
        const path = `/v1/bank-reports?bankCode=${encodeURIComponent(form.bankCode)}&quarter=${encodeURIComponent(form.quarter)}`;
        const res = await send('POST', path, form.file, {
          contentType: 'text/csv',
          idempotencyKey,
          onUpload: (sent, total) => {
            upload.percent = total ? Math.floor((sent / total) * 100) : 0;
            if (total && sent >= total) upload.phase = 'checking';
          },
        });
        unanswered = null;
        if (res.status === 201) {
          upload.result = res.body;
          load();
        } else {
          upload.error = `${res.body.code ?? res.status} ${res.body.message ?? ''}`;
          upload.problems = res.body.details ?? [];
        }
      } catch (e) {
        upload.error = String(e.message ?? e);
      } finally {
        upload.phase = '';
      }
    };
    return { isBank, form, upload, reports, pick, submit, load, t, fmtMoney };
  },
  template: `<div><section><h2>{{ t('fileReport') }}</h2>
    <form @submit.prevent="submit" data-test="report-form">
      <label>{{ t('bank') }} <input v-model="form.bankCode" :disabled="isBank" data-test="report-bank" size="10" @change="load" /></label>
      <label>{{ t('quarter') }} <input v-model="form.quarter" data-test="report-quarter" size="8" /></label>
      <label>{{ t('csvFile') }} <input type="file" accept=".csv,text/csv" @change="pick" data-test="report-file" /></label>
      <button class="primary" type="submit" :disabled="!form.file || !form.bankCode || !!upload.phase" data-test="report-upload">{{ t('upload') }}</button>
      <span class="progress" data-test="report-progress">{{ upload.phase === 'uploading' ? t('uploading') + ' ' + upload.percent + '%' : upload.phase === 'checking' ? t('checking') : '' }}</span></form>
    <p v-if="upload.result" data-test="report-result">{{ t('reportFiled') }}: {{ upload.result.quarter }} v{{ upload.result.version }} · {{ upload.result.rows }} {{ t('rowsCount') }} · {{ t('outstanding') }} {{ fmtMoney(upload.result.outstandingTotal) }}<span v-if="upload.result.late" class="bad"> · {{ t('late') }}</span></p>
    <div v-if="upload.error" class="error" data-test="report-error">{{ upload.error }}</div>
    <table v-if="upload.problems.length" data-test="report-problems"><thead><tr><th>{{ t('line') }}</th><th>{{ t('field') }}</th><th>{{ t('reason') }}</th></tr></thead>
      <tbody><tr v-for="(p, i) in upload.problems" :key="i"><td>{{ p.line ?? '' }}</td><td>{{ p.field ?? '' }}</td><td>{{ p.message }}</td></tr></tbody></table></section>
    <section v-if="reports"><h2>{{ t('reportsOf') }} {{ form.bankCode }}</h2>
      <table data-test="reports"><thead><tr><th>{{ t('quarter') }}</th><th>{{ t('version') }}</th><th>{{ t('receivedOn') }}</th><th class="num">{{ t('rowsCount') }}</th><th class="num">{{ t('outstanding') }}</th><th>{{ t('status') }}</th></tr></thead>
      <tbody><tr v-for="r in reports" :key="r.id" data-test="report-row"><td>{{ r.quarter }}</td><td>v{{ r.version }}</td><td>{{ r.receivedOn }}<span v-if="r.late" class="bad"> · {{ t('late') }}</span></td><td class="num">{{ r.rows }}</td><td class="num">{{ fmtMoney(r.outstandingTotal) }}</td><td>{{ r.supersededBy ? t('superseded') : t('current') }}</td></tr>
      <tr v-if="!reports.length"><td colspan="6">{{ t('none') }}</td></tr></tbody></table></section></div>`,
};

/**
 * The programmes the service carries as data (issue 18; docs/programmes.md): each one's money flows,
 * its figures the seed does not give, and its rules as a person reads them — severity, text in the
 * console's language, and the article they come from.
 */
const Programmes = {
  setup() {
    const list = ref(null);
    const chosen = ref(null);
    const error = ref(null);
    api('/v1/programmes')
      .then((r) => (list.value = r.items))
      .catch((e) => (error.value = e.message));
    const open = (code) => {
      chosen.value = null;
      api(`/v1/programmes/${encodeURIComponent(code)}`)
        .then((p) => (chosen.value = p))
        .catch((e) => (error.value = e.message));
    };
    const text = (x) => (x ? (state.lang === 'en' ? x.en : x.zh) ?? x.zh ?? '' : '');
    return { list, chosen, error, open, text, t, fmtMoney, state };
  },
  template: `<div><div v-if="error" class="error">{{ error }}</div><div v-else-if="!list">{{ t('loading') }}</div><div v-else>
    <section><table data-test="programmes"><thead><tr><th>{{ t('programme') }}</th><th>{{ t('moneyFlows') }}</th><th>{{ t('version') }}</th><th class="num">{{ t('loansCount') }}</th></tr></thead>
      <tbody><tr v-for="p in list" :key="p.code" data-test="programme-row" :data-code="p.code" class="clickable" @click="open(p.code)"><td>{{ text(p.names) || p.name }}</td><td>{{ (p.moneyFlows ?? []).join(', ') }}</td><td>{{ p.currentVersion?.id ?? '—' }}</td><td class="num">{{ p.loans?.loans ?? '' }}</td></tr></tbody></table></section>
    <section v-if="chosen" data-test="programme-detail"><h2>{{ text(chosen.names) || chosen.name }} <span class="muted">{{ chosen.sourceSeed }}</span></h2>
      <div v-if="chosen.version?.missing?.length" data-test="programme-missing"><h3>{{ t('missingFigures') }}</h3>
        <ul><li v-for="m in chosen.version.missing" :key="m.figure ?? m"><code>{{ m.figure ?? m }}</code> <span class="muted">{{ m.reason ?? '' }}</span></li></ul></div>
      <template v-for="prod in chosen.version?.products ?? []" :key="prod.code"><h3>{{ text(prod.names) || prod.code }}</h3>
        <table><thead><tr><th>{{ t('rule') }}</th><th>{{ t('severity') }}</th><th>{{ t('source') }}</th></tr></thead>
        <tbody><tr v-for="r in prod.rules" :key="r.id" data-test="programme-rule"><td>{{ text(r.text) }}</td><td>{{ r.severity === 'hard' ? t('hardRule') : t('softRule') }}</td><td class="muted">{{ r.source }}</td></tr></tbody></table></template>
    </section></div></div>`,
};

const Reconciliation = {
  components: { ExportButtons },
  setup() {
    const rows = ref(null);
    const error = ref(null);
    Promise.all([api('/v1/reserve'), api('/v1/banks?limit=100'), api('/v1/reconciliations?limit=100')])
      .then(([reserve, banks, recs]) => {
        const names = new Map(banks.items.map((b) => [b.code, b.name]));
        rows.value = reserve.banks.map((b) => ({ ...b, bankName: names.get(b.bankCode), latest: recs.items.find((r) => r.bankCode === b.bankCode) ?? null }));
      })
      .catch((e) => (error.value = e.message));
    return { rows, error, t, fmtMoney, statusText };
  },
  template: `<div v-if="error" class="error">{{ error }}</div><div v-else-if="!rows">{{ t('loading') }}</div><div v-else>
    <section><h2>{{ t('reconciliation') }}<span class="spacer"></span><ExportButtons path="/v1/payment-instructions?limit=100" name="payment-instructions" /></h2>
      <table><thead><tr><th>{{ t('reserveAccount') }}</th><th>{{ t('bank') }}</th><th class="num">{{ t('balance') }}</th><th>{{ t('lastStatement') }}</th><th>{{ t('status') }}</th></tr></thead>
      <tbody><tr v-for="r in rows" :key="r.bankCode" data-test="recon-row"><td>reserve:deposit:{{ r.bankCode }}</td><td>{{ r.bankName }}</td><td class="num">{{ fmtMoney(r.balance) }}</td>
        <td>{{ r.latest ? r.latest.from + ' … ' + r.latest.to : t('noStatement') }}</td><td>{{ r.latest ? statusText(r.latest.status) : '—' }}</td></tr></tbody></table></section></div>`,
};

const Ledger = {
  components: { ExportButtons },
  setup() {
    const tb = ref(null);
    const statement = ref(null);
    const account = ref('');
    const verify = ref(null);
    const error = ref(null);
    api('/v1/ledger/trial-balance?book=reserve').then((d) => (tb.value = d)).catch((e) => (error.value = e.message));
    watch(account, (code) => {
      statement.value = null;
      if (code) api(`/v1/ledger/accounts/${encodeURIComponent(code)}/statement?book=reserve`).then((d) => (statement.value = d)).catch((e) => (error.value = e.message));
    });
    const runVerify = () => {
      verify.value = { running: true };
      api('/v1/ledger/verify?book=reserve').then((d) => (verify.value = d)).catch((e) => (verify.value = { error: e.message }));
    };
    return { tb, statement, account, verify, runVerify, error, t, fmtMoney };
  },
  template: `<div v-if="error" class="error">{{ error }}</div><div v-else-if="!tb">{{ t('loading') }}</div><div v-else>
    <section><h2>{{ t('trialBalance') }} <span class="muted">#{{ tb.headSequence }}</span><span class="spacer"></span>
        <button data-test="verify" @click="runVerify">{{ t('verify') }}</button>
        <span v-if="verify" data-test="verify-result" :class="verify.ok ? 'good' : 'bad'">{{ verify.running ? t('loading') : verify.error ?? (verify.ok ? t('verifyOk') + ' (' + verify.entries + ')' : t('verifyBroken')) }}</span>
        <ExportButtons path="/v1/ledger/export?book=reserve&report=trial-balance" name="trial-balance" /><ExportButtons path="/v1/ledger/export?book=reserve" name="journal" /></h2>
      <table><thead><tr><th>{{ t('account') }}</th><th></th><th class="num">{{ t('debit') }}</th><th class="num">{{ t('credit') }}</th><th class="num">{{ t('balance') }}</th></tr></thead>
      <tbody><tr v-for="r in tb.rows" :key="r.account" class="clickable" data-test="tb-row" @click="account = r.account"><td>{{ r.account }}</td><td>{{ r.name }}</td><td class="num">{{ fmtMoney(r.debit) }}</td><td class="num">{{ fmtMoney(r.credit) }}</td><td class="num">{{ fmtMoney(r.balance) }}</td></tr>
        <tr><th>{{ t('total') }}</th><th></th><th class="num" data-test="tb-total-debit">{{ fmtMoney(tb.totals.debit) }}</th><th class="num" data-test="tb-total-credit">{{ fmtMoney(tb.totals.credit) }}</th><th></th></tr></tbody></table></section>
    <section v-if="account"><h2>{{ t('statement') }} {{ account }}</h2><div v-if="!statement">{{ t('loading') }}</div>
      <table v-else><thead><tr><th>{{ t('period') }}</th><th>{{ t('memo') }}</th><th class="num">{{ t('debit') }}</th><th class="num">{{ t('credit') }}</th><th class="num">{{ t('balance') }}</th></tr></thead>
      <tbody><tr v-for="(l, i) in statement.lines" :key="i"><td>{{ l.effectiveDate }}</td><td>{{ l.memo }}</td><td class="num">{{ fmtMoney(l.debit) }}</td><td class="num">{{ fmtMoney(l.credit) }}</td><td class="num">{{ fmtMoney(l.balance) }}</td></tr></tbody></table></section></div>`,
};

const Login = {
  setup() {
    const token = ref('');
    const error = ref(null);
    const submit = async () => {
      error.value = null;
      state.token = token.value.trim();
      try {
        state.me = await api('/v1/tokens/me');
        sessionStorage.setItem('console.token', state.token);
        sessionStorage.setItem('console.me', JSON.stringify(state.me));
      } catch {
        state.token = null;
        error.value = t('loginFailed');
      }
    };
    return { token, error, submit, t };
  },
  template: `<form class="login" @submit.prevent="submit"><h2>{{ t('title') }}</h2><label>{{ t('tokenLabel') }}<input type="password" v-model="token" data-test="token" autocomplete="off" /></label>
    <button class="primary" type="submit" data-test="login">{{ t('login') }}</button> <span class="error" data-test="login-error">{{ error }}</span></form>`,
};

const App = {
  components: { Login, Overview, Risk, Claims, Quarters, Reports, Programmes, Reconciliation, Ledger },
  setup() {
    const pages = computed(() => (state.me ? PAGES.filter((p) => p.roles.includes(state.me.role)) : []));
    const current = computed(() => pages.value.find((p) => p.id === state.page)?.id ?? pages.value[0]?.id);
    const component = computed(() => ({ overview: 'Overview', risk: 'Risk', claims: 'Claims', quarters: 'Quarters', reports: 'Reports', programmes: 'Programmes', reconciliation: 'Reconciliation', ledger: 'Ledger' })[current.value]);
    const toggleLang = () => {
      state.lang = state.lang === 'zh-CN' ? 'en' : 'zh-CN';
      localStorage.setItem('console.lang', state.lang);
      document.documentElement.lang = state.lang;
    };
    window.addEventListener('hashchange', () => (state.page = location.hash.slice(1)));
    // The token is checked on every start, also when the tab remembers its role: a revoked or
    // expired token logs out, a changed role redraws the pages.
    if (state.token) {
      api('/v1/tokens/me')
        .then((me) => {
          state.me = me;
          sessionStorage.setItem('console.me', JSON.stringify(me));
        })
        .catch(() => logout());
    }
    return { state, pages, current, component, toggleLang, logout, t };
  },
  computed: {
    me() {
      return state.me;
    },
  },
  template: `<Login v-if="!state.token || !state.me" />
    <template v-else><header><h1>{{ t('title') }}</h1>
      <nav><a v-for="p in pages" :key="p.id + state.lang" :href="'#' + p.id" :class="{ active: p.id === current }" :data-test="'nav-' + p.id">{{ t(p.id) }}</a></nav>
      <span class="who" data-test="who">{{ t('roleNames')[state.me.role] }}{{ state.me.partyCode ? ' · ' + state.me.partyCode : '' }}</span>
      <button @click="toggleLang" data-test="lang">{{ t('language') }}</button><button @click="logout" data-test="logout">{{ t('logout') }}</button></header>
      <main :data-page="current"><component :is="component" :key="current + state.lang" /></main></template>`,
};

document.documentElement.lang = state.lang;
createApp(App).mount('#app');
