import { groupThousands } from '../../common/format/figures';
import { D } from '../../common/money/decimal';
import type { Comparison, Condition, Operand, ParameterValue, ProductSpec, ProgrammeDocument, RuleSpec, Texts } from './programme-document';

type Lang = keyof Texts;

/** Labels of the base facts (programme-vocabulary.ts) in both languages. */
const FACT_LABELS: Record<string, Texts> = {
  amount: { zh: '贷款金额', en: 'loan amount' },
  annualRate: { zh: '贷款利率', en: 'interest rate' },
  termMonths: { zh: '贷款期限（月）', en: 'term (months)' },
  contractDate: { zh: '合同日期', en: 'contract date' },
  registeredOn: { zh: '备案日期', en: 'registration date' },
  preferentialMonths: { zh: '优惠期限（月）', en: 'preferential period (months)' },
  borrowerType: { zh: '借款人类型', en: 'borrower type' },
  sizeClass: { zh: '企业规模', en: 'size class' },
  region: { zh: '所在地区', en: 'region' },
  monthsEstablished: { zh: '成立（经营）月数', en: 'months established' },
  headcount: { zh: '用工人数', en: 'headcount' },
  lprForTerm: { zh: '同期LPR', en: 'LPR for the term' },
};

const VALUE_LABELS: Record<string, Texts> = {
  enterprise: { zh: '企业', en: 'enterprise' },
  individual: { zh: '个人', en: 'individual' },
  micro: { zh: '微型', en: 'micro' },
  small: { zh: '小型', en: 'small' },
  medium: { zh: '中型', en: 'medium' },
  large: { zh: '大型', en: 'large' },
};

const OPS: Record<Comparison['op'], Texts> = {
  eq: { zh: '=', en: '=' },
  ne: { zh: '≠', en: '≠' },
  gt: { zh: '>', en: '>' },
  gte: { zh: '≥', en: '≥' },
  lt: { zh: '<', en: '<' },
  lte: { zh: '≤', en: '≤' },
  in: { zh: '属于', en: 'is one of' },
  notIn: { zh: '不属于', en: 'is none of' },
  inRegions: { zh: '位于', en: 'lies in' },
};

/** A figure as a person reads it: amounts grouped by thousands, fractions below 1 as percents, flags as yes/no. */
export function renderFigure(v: string | boolean, lang: Lang): string {
  if (typeof v === 'boolean') return lang === 'zh' ? (v ? '是' : '否') : v ? 'yes' : 'no';
  if (Object.prototype.hasOwnProperty.call(VALUE_LABELS, v)) return VALUE_LABELS[v][lang];
  if (/^\d+\.\d{2}$/.test(v)) return groupThousands(v);
  if (/^0\.\d+$/.test(v)) return `${new D(v).times(100).toString()}%`;
  return v;
}

function renderValue(v: ParameterValue, lang: Lang): string {
  if (v === null) return lang === 'zh' ? '（缺）' : '(missing)';
  if (typeof v === 'string' || typeof v === 'boolean') return renderFigure(v, lang);
  if (Array.isArray(v)) return v.map((x) => renderValue(x, lang)).join(lang === 'zh' ? '、' : ', ');
  return Object.entries(v)
    .map(([k, x]) => `${renderFigure(k, lang)} ${renderValue(x, lang)}`)
    .join(' / ');
}

function factLabel(name: string, product: ProductSpec, lang: Lang): string {
  if (name.startsWith('declared.')) {
    const d = product.declarations.find((x) => x.name === name.slice('declared.'.length));
    return d ? d.text[lang] : name;
  }
  const derived = Object.prototype.hasOwnProperty.call(product.derived, name) ? product.derived[name].text : undefined;
  return derived?.[lang] ?? FACT_LABELS[name]?.[lang] ?? name;
}

function renderOperand(o: Operand, doc: ProgrammeDocument, product: ProductSpec, lang: Lang): string {
  if (typeof o === 'string' || typeof o === 'boolean') return renderFigure(o, lang);
  if (Array.isArray(o)) return o.map((x) => renderFigure(x, lang)).join(lang === 'zh' ? '、' : ', ');
  if ('fact' in o) return factLabel(o.fact, product, lang);
  if ('table' in o) return doc.tables[o.table]?.text[lang] ?? o.table;
  const v = Object.prototype.hasOwnProperty.call(product.parameters, o.param) ? product.parameters[o.param] : null;
  const by = o.by ? (lang === 'zh' ? `（按${factLabel(o.by, product, lang)}）` : ` (by ${factLabel(o.by, product, lang)})`) : '';
  return `${renderValue(v, lang)}${by}`;
}

/** A rule's test written out in one language, e.g. "用工人数 ≥ 10" or "loan amount ≤ enterprise 50,000,000.00 / individual 10,000,000.00 (by borrower type)". */
export function renderCondition(c: Condition, doc: ProgrammeDocument, product: ProductSpec, lang: Lang, nested = false): string {
  if ('all' in c || 'any' in c) {
    const parts = 'all' in c ? c.all : (c as { any: Condition[] }).any;
    const joiner = 'all' in c ? (lang === 'zh' ? ' 且 ' : ' and ') : lang === 'zh' ? ' 或 ' : ' or ';
    const text = parts.map((p) => renderCondition(p, doc, product, lang, true)).join(joiner);
    if (!nested || parts.length < 2) return text;
    return lang === 'zh' ? `（${text}）` : `(${text})`;
  }
  if ('not' in c) return `${lang === 'zh' ? '非' : 'not '}(${renderCondition(c.not, doc, product, lang, true)})`;
  if (typeof c.value === 'boolean' && c.op === 'eq') return c.value ? factLabel(c.fact, product, lang) : `${lang === 'zh' ? '非' : 'not '}${factLabel(c.fact, product, lang)}`;
  return `${factLabel(c.fact, product, lang)} ${OPS[c.op][lang]} ${renderOperand(c.value, doc, product, lang)}`;
}

/** A rule as GET /v1/programmes/{code} shows it: text, severity, source, and the test written out in Chinese and English. */
export function renderRule(rule: RuleSpec, doc: ProgrammeDocument, product: ProductSpec) {
  return {
    id: rule.id,
    severity: rule.severity,
    borrowerTypes: rule.borrowerTypes ?? product.borrowerTypes,
    text: rule.text,
    source: rule.source,
    readable: { zh: renderCondition(rule.test, doc, product, 'zh'), en: renderCondition(rule.test, doc, product, 'en') },
  };
}
