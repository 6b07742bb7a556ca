// The console (issue 17; docs/console.md): Vue 3's runtime-only browser build, with the templates
// (web/templates/*.html) compiled once to render functions in web/templates.js (committed; `npm run
// console:templates`), and Apache ECharts, served from node_modules — no build step for users.
// Every figure comes from the API as it is (money as the API's strings, formatted for reading
// only); charts draw numbers.
import { createApp, reactive, computed, watch, nextTick, onMounted, onBeforeUnmount, ref } from '/console/vendor/vue/vue.runtime.esm-browser.prod.js';
import { MESSAGES } from './i18n.js';
import * as templates from './templates.js';

// Marks for the overview's load breakdown (browser test; docs/benchmarks.md): User Timing costs
// nothing when nobody reads it.
const mark = (name) => performance.mark(`console:${name}`);
mark('script');

/**
 * ECharts' "common" build (line, bar, tooltip, legend, mark lines: what the console draws; 0.66 MB
 * against 1.03 MB for the full build) runs as a plain script beside the page rather than before it
 * (index.html starts its download early). Its evaluation (0.1–0.2 s) is placed where it costs
 * least: once the page has mounted, while the API is still answering; but when the overview's
 * figures have already arrived (index.html asked for them early), after they are shown, when the
 * chart is to be drawn.
 */
let echartsReady = null;
const early = window.consoleEarly;
function loadEcharts() {
  echartsReady ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/console/vendor/echarts/echarts.common.min.js';
    script.async = true;
    script.onload = () => {
      mark('echarts-loaded');
      resolve(window.echarts);
    };
    script.onerror = () => reject(new Error('the charting library did not load'));
    document.head.appendChild(script);
  });
  return echartsReady;
}

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

/** The answer index.html asked for before the scripts arrived, if it is for this call (taken once). */
function earlyAnswer(path) {
  const early = window.consoleEarly;
  if (!early || early.path !== path || early.token !== state.token || early.lang !== state.lang) return null;
  window.consoleEarly = null;
  return early.answer;
}

async function api(path) {
  const res = await (earlyAnswer(path) ?? fetch(path, { headers: { Authorization: `Bearer ${state.token}`, 'Accept-Language': state.lang } }));
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
      const echarts = await loadEcharts();
      if (gone || !el.value) return;
      chart = chart ?? echarts.init(el.value);
      // No animation: the figures are there at once (and screenshots show them as they are).
      chart.setOption({ animation: false, ...props.option }, true);
      mark(`chart-drawn:${props.test}`);
    };
    onMounted(() => nextTick(draw));
    watch(() => props.option, draw, { deep: true });
    onBeforeUnmount(() => {
      gone = true;
      chart?.dispose();
    });
    return { el };
  },
  render: templates.Chart,
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
  render: templates.ExportButtons,
};

const Overview = {
  components: { Chart, ExportButtons },
  setup() {
    const data = ref(null);
    const error = ref(null);
    api('/v1/console/overview')
      .then((d) => {
        mark('overview-data');
        data.value = d;
        nextTick(() => mark('overview-figures'));
      })
      .catch((e) => (error.value = e.message));
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
  render: templates.Overview,
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
  render: templates.Risk,
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
  render: templates.ClaimDetail,
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
  render: templates.Claims,
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
  render: templates.Quarters,
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
  render: templates.Reports,
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
  render: templates.Programmes,
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
  render: templates.Reconciliation,
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
  render: templates.Ledger,
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
  render: templates.Login,
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
  render: templates.App,
};

document.documentElement.lang = state.lang;
createApp(App).mount('#app');
mark('mounted');
if (!early?.arrived) loadEcharts();
