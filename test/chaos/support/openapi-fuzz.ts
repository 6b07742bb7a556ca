import { Prng } from './prng';

/**
 * Request generation for the fuzzer from the service's own OpenAPI document: every write
 * operation (POST/PUT/PATCH/DELETE), valid-ish bodies built from its request schema with values
 * the world actually has (bank codes, loan and claim ids, account codes), then one hostile
 * mutation — wrong types, missing and extra fields, money as numbers, exponents or too many
 * decimals, NUL, lone surrogates and control characters, huge strings, `__proto__` keys, deep
 * nesting, malformed JSON, invalid UTF-8, wrong content types, oversized bodies, bad
 * Idempotency-Keys and tokens, hostile path parameters.
 */

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  nullable?: boolean;
  example?: unknown;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  minimum?: number;
  maximum?: number;
};

export interface OpenApiDocument {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> }; parameters?: { name: string; in: string }[] }>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Operation {
  method: string;
  path: string;
  bodySchema: Schema | null;
  contentTypes: string[];
}

export function writeOperations(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['post', 'put', 'patch', 'delete'].includes(method)) continue;
      const content = op.requestBody?.content ?? {};
      ops.push({ method: method.toUpperCase(), path, bodySchema: content['application/json']?.schema ?? null, contentTypes: Object.keys(content) });
    }
  }
  return ops;
}

/** What the world holds: values that make a request reach deeper than validation. */
export interface World {
  banks: string[];
  agencies: string[];
  borrowers: string[];
  loans: string[];
  claims: string[];
  entries: string[];
  books: string[];
  accounts: string[];
}

export type Strategy =
  | 'valid-ish'
  | 'wrong-type'
  | 'missing-field'
  | 'extra-field'
  | 'money-format'
  | 'hostile-text'
  | 'proto-key'
  | 'deep-json'
  | 'wide-json'
  | 'malformed-json'
  | 'invalid-utf8'
  | 'wrong-content-type'
  | 'oversized'
  | 'empty-body';

export interface FuzzRequest {
  strategy: Strategy;
  method: string;
  path: string;
  headers: Record<string, string | number>;
  body?: Buffer | string;
  /** Send only the start of the body and wait for the answer (declared length is larger). */
  partial?: boolean;
  /** What the request does, for failure reports. */
  describe: string;
}

const HOSTILE_TEXT = ['\u0000', 'a\u0000b', '\ud800', 'x\udfff', '\udbff\u0041', '\u0007bell', '\u001b[31m', '\u0085', '\u007f', '\u202eevil', '\ufeff'];
const HOSTILE_PATH = ['%00', 'a%00b', '%ED%A0%80', '%C0%AF', '%FF', '%0A', '%7F', '%E2%80%AE', '..%2F..%2Fetc', '%25', '-1', '1e309', 'null', '%F0%9F%98%80', 'x'.repeat(3000)];
const MONEY_BAD: unknown[] = [1000, 1e3, 0.1, -1, 1e21, '1e3', '1000.001', '-5.00', '99999999999999999999.00', ' 1.00', '１.００', '0x10', 'NaN', 'Infinity', '1,000.00', '', '.5', '5.'];
const WRONG_TYPES: unknown[] = [0, -1, 1.5, 2 ** 53 + 1, 1e308, true, false, null, [], {}, '', 'x', [1, 2], { a: 1 }];
const DATES = ['2025-07-15', '2025-01-10', '2024-06-15', '2025-10-10', '2025-09-30', '2026-01-20'];
const FORBIDDEN = ['__proto__', 'constructor', 'prototype'];

export class RequestGenerator {
  private counter = 0;
  private readonly usedKeys: { key: string; path: string }[] = [];
  readonly operations: Operation[];

  constructor(
    private readonly rng: Prng,
    private readonly doc: OpenApiDocument,
    private readonly world: World,
    private readonly tokens: { role: string; token: string }[],
  ) {
    this.operations = writeOperations(doc);
  }

  private unique(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.rng.hex(6).toUpperCase()}${this.counter}`;
  }

  private resolve(schema: Schema | undefined): Schema {
    let s = schema ?? {};
    for (let i = 0; i < 10 && s.$ref; i++) s = this.doc.components?.schemas?.[s.$ref.split('/').pop() as string] ?? {};
    if (s.allOf?.length) s = { ...s, ...this.resolve(s.allOf[0]) };
    return s;
  }

  /** A plausible value for a field, preferring what the world has. */
  private valueFor(name: string, schema: Schema, depth: number): unknown {
    const s = this.resolve(schema);
    const r = this.rng;
    const known: Record<string, () => unknown> = {
      bankCode: () => r.pick(this.world.banks),
      agencyCode: () => r.pick(this.world.agencies),
      fromAgencyCode: () => r.pick(this.world.agencies),
      toAgencyCode: () => r.pick(this.world.agencies),
      borrowerCode: () => r.pick(this.world.borrowers),
      loanId: () => r.pick(this.world.loans),
      renewalOf: () => r.pick(this.world.loans),
      claimIds: () => [r.pick(this.world.claims)],
      book: () => r.pick(this.world.books),
      account: () => r.pick(this.world.accounts),
      reference: () => this.unique('REF'),
      quarter: () => r.pick(['2025Q2', '2025Q1', '2024Q4']),
      partyCode: () => r.pick(this.world.banks),
      code: () => (r.chance(0.7) ? this.unique('FZ') : r.pick([...this.world.banks, ...this.world.agencies])),
      loanReference: () => this.unique('LR'),
    };
    if (known[name] && r.chance(0.85)) return known[name]();
    if (s.enum?.length) return r.pick(s.enum);
    switch (s.type) {
      case 'string':
        if (s.format === 'date') return r.pick(DATES);
        if (s.format === 'uuid') return r.chance(0.5) ? r.pick([...this.world.loans, ...this.world.claims, ...this.world.entries]) : r.uuid();
        if (s.pattern?.includes('[0-9]{1,8}')) return r.pick(['0.0435', '0.01', '0.6', '0.0001']);
        if (s.pattern?.includes('[0-9]{1,2}')) return r.pick(['1000.00', '0.01', '3000000.00', '250.5', '100000.00']);
        if (typeof s.example === 'string') return s.example;
        return `fuzz ${this.counter}`;
      case 'number':
      case 'integer':
        return typeof s.example === 'number' ? s.example : r.int(24) + 1;
      case 'boolean':
        return r.chance(0.5);
      case 'array': {
        if (depth > 4) return [];
        const n = r.int(3) + (name === 'lines' ? 2 : 1);
        return Array.from({ length: n }, () => this.valueFor(name, s.items ?? {}, depth + 1));
      }
      case 'object':
      default:
        if (!s.properties) return typeof s.example === 'object' ? s.example : {};
        return this.objectFor(s, depth + 1);
    }
  }

  private objectFor(schema: Schema, depth: number): Record<string, unknown> {
    const s = this.resolve(schema);
    const out: Record<string, unknown> = {};
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      const required = s.required?.includes(name);
      if (!required && this.rng.chance(0.5)) continue;
      out[name] = this.valueFor(name, prop, depth);
    }
    // A ledger line has a debit or a credit, not both.
    if ('debit' in out && 'credit' in out) delete out[this.rng.chance(0.5) ? 'debit' : 'credit'];
    return out;
  }

  /** Every object inside a value, with its schema when known. */
  private objects(value: unknown): Record<string, unknown>[] {
    const found: Record<string, unknown>[] = [];
    const stack = [value];
    while (stack.length) {
      const v = stack.pop();
      if (Array.isArray(v)) stack.push(...v);
      else if (v && typeof v === 'object') {
        found.push(v as Record<string, unknown>);
        stack.push(...Object.values(v));
      }
    }
    return found;
  }

  private pathFor(op: Operation, hostile: boolean): string {
    const r = this.rng;
    return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      if (hostile || r.chance(0.1)) return r.pick(HOSTILE_PATH);
      if (name === 'code') return encodeURIComponent(r.pick([...this.world.banks, ...this.world.agencies, ...this.world.borrowers]));
      if (name === 'quarter') return r.pick(['2025Q1', '2024Q4', '2025Q2', '2025Q9']);
      if (name === 'id') {
        if (op.path.startsWith('/v1/loans')) return r.pick(this.world.loans);
        if (op.path.startsWith('/v1/claims')) return r.pick(this.world.claims);
        if (op.path.startsWith('/v1/ledger/entries')) return r.pick(this.world.entries.length ? this.world.entries : [r.uuid()]);
        return r.uuid();
      }
      return r.uuid();
    });
  }

  private headersFor(op: Operation, body: unknown): Record<string, string | number> {
    const r = this.rng;
    const headers: Record<string, string | number> = {};
    const auth = r.weighted<'trustee' | 'role' | 'none' | 'garbage'>([
      [55, 'trustee'],
      [35, 'role'],
      [5, 'none'],
      [5, 'garbage'],
    ]);
    if (auth === 'trustee') headers.Authorization = `Bearer ${this.tokens[0].token}`;
    else if (auth === 'role') headers.Authorization = `Bearer ${r.pick(this.tokens).token}`;
    else if (auth === 'garbage') headers.Authorization = r.pick(['Bearer', 'Bearer ', 'Basic abc', `Bearer ${'x'.repeat(600)}`, 'bearer x', `Bearer ${r.hex(40)}`]);
    const idem = r.weighted<'none' | 'fresh' | 'reuse' | 'bad'>([
      [65, 'none'],
      [20, 'fresh'],
      [8, 'reuse'],
      [7, 'bad'],
    ]);
    if (idem === 'fresh') {
      const key = `fz-${r.hex(16)}`;
      this.usedKeys.push({ key, path: op.path });
      headers['Idempotency-Key'] = key;
    } else if (idem === 'reuse' && this.usedKeys.length) {
      headers['Idempotency-Key'] = r.pick(this.usedKeys).key;
    } else if (idem === 'bad') {
      headers['Idempotency-Key'] = r.pick(['', ' ', 'a b', 'x'.repeat(300), 'é', '\t', 'cl\u00e9\u00ff', '"quoted"']);
    }
    void body;
    return headers;
  }

  next(): FuzzRequest {
    const r = this.rng;
    const op = r.pick(this.operations);
    const strategy = r.weighted<Strategy>([
      [22, 'valid-ish'],
      [12, 'wrong-type'],
      [8, 'missing-field'],
      [8, 'extra-field'],
      [10, 'money-format'],
      [12, 'hostile-text'],
      [6, 'proto-key'],
      [2, 'deep-json'],
      [0.5, 'wide-json'],
      [6, 'malformed-json'],
      [4, 'invalid-utf8'],
      [6, 'wrong-content-type'],
      [0.3, 'oversized'],
      [3.7, 'empty-body'],
    ]);
    const hostilePath = strategy !== 'valid-ish' && r.chance(0.08);
    const path = this.pathFor(op, hostilePath);
    let value: unknown = op.bodySchema ? this.valueFor('body', op.bodySchema, 0) : {};
    let text: string | Buffer | undefined;
    let contentType = 'application/json';
    let partial = false;
    let what = '';
    const objects = () => this.objects(value);
    const someObject = () => {
      const all = objects();
      return all.length ? r.pick(all) : null;
    };
    switch (strategy) {
      case 'wrong-type': {
        const o = someObject();
        const keys = o ? Object.keys(o) : [];
        if (o && keys.length) {
          const k = r.pick(keys);
          // A copy: the table's objects and arrays must never become part of (and be mutated with) a
          // request, or a later request can make one contain itself.
          o[k] = structuredClone(r.pick(WRONG_TYPES));
          what = `${k} = ${JSON.stringify(o[k])}`;
        } else value = structuredClone(r.pick(WRONG_TYPES));
        break;
      }
      case 'missing-field': {
        const o = someObject();
        const keys = o ? Object.keys(o) : [];
        if (o && keys.length) {
          const k = r.pick(keys);
          delete o[k];
          what = `without ${k}`;
        }
        break;
      }
      case 'extra-field': {
        const o = someObject() ?? (value as Record<string, unknown>);
        const k = r.pick(['unexpected', 'id', 'status', 'role', 'isAdmin', 'amount', '$where', 'hash', 'sequence']);
        if (o && typeof o === 'object') o[k] = structuredClone(r.pick(WRONG_TYPES));
        what = `extra ${k}`;
        break;
      }
      case 'money-format': {
        const all = objects();
        const moneyKeys = ['amount', 'debit', 'credit', 'floor', 'outstandingPrincipal', 'principal', 'recovered', 'agreedCosts', 'repaid', 'collateralValue', 'annualRate', 'feeRate', 'previousCreditLine', 'compensation', 'reviewedBalance'];
        const candidates = all.flatMap((o) => Object.keys(o).filter((k) => moneyKeys.includes(k)).map((k) => [o, k] as const));
        const [o, k] = candidates.length ? r.pick(candidates) : [value as Record<string, unknown>, 'amount'];
        if (o && typeof o === 'object') o[k] = r.pick(MONEY_BAD);
        what = `${k} = ${JSON.stringify((o as Record<string, unknown>)?.[k])}`;
        break;
      }
      case 'hostile-text': {
        const all = objects();
        const candidates = all.flatMap((o) => Object.keys(o).filter((k) => typeof o[k] === 'string').map((k) => [o, k] as const));
        const bad = r.chance(0.1) ? 'x'.repeat(200_000 + r.int(100_000)) : r.pick(HOSTILE_TEXT);
        if (candidates.length) {
          const [o, k] = r.pick(candidates);
          o[k] = r.chance(0.5) ? `${String(o[k]).slice(0, 20)}${bad}` : bad;
          what = `${k} hostile`;
        } else if (value && typeof value === 'object') {
          (value as Record<string, unknown>)[r.pick(['memo', 'name', 'reason'])] = bad;
          what = 'hostile text field';
        }
        break;
      }
      case 'proto-key': {
        const key = r.pick(FORBIDDEN);
        const o = someObject();
        const inner = r.pick(['{"role":"trustee"}', '{"polluted":true}', '1', 'null', '{"toString":"x"}']);
        text = JSON.stringify(value ?? {});
        if (o) {
          // Inject textually, so the key reaches the service as written.
          const marker = `"__fz_${this.counter}__"`;
          o[marker.slice(1, -1)] = 0;
          text = JSON.stringify(value).replace(`${marker}:0`, `"${key}":${inner}`);
        } else text = `{"${key}":${inner}}`;
        what = key;
        break;
      }
      case 'deep-json': {
        const depth = r.pick([65, 200, 5_000, 20_000]);
        text = r.chance(0.5) ? `{"lines":${'['.repeat(depth)}${']'.repeat(depth)}}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
        what = `depth ${depth}`;
        break;
      }
      case 'wide-json': {
        // Within the size limit but very wide: an array of tiny values at the top, an object of
        // many keys, or a field holding a huge array of bad rows.
        const n = r.pick([10_000, 100_000, 400_000]);
        text = r.pick([
          () => `[${'{},'.repeat(n)}{}]`,
          () => `{${Array.from({ length: Math.min(n, 100_000) }, (_, i) => `"k${i}":1`).join(',')}}`,
          () => JSON.stringify({ ...(value as object), lines: Array.from({ length: Math.min(n, 50_000) }, () => ({ account: 1, debit: 1 })) }),
        ])();
        what = `wide ${n}`;
        break;
      }
      case 'malformed-json': {
        const full = JSON.stringify(value ?? {});
        text = r.pick([full.slice(0, Math.max(1, r.int(full.length))), `${full}}`, full.replace(/"/g, "'"), `{${full}`, '{"a":1,}', '[1,2', 'nul', '{"a":NaN}', '{"a":undefined}', `${full}\u0000`]);
        what = 'malformed';
        break;
      }
      case 'invalid-utf8': {
        const full = Buffer.from(JSON.stringify(value ?? {}));
        const at = Math.max(1, r.int(full.length - 1));
        text = Buffer.concat([full.subarray(0, at), Buffer.from(r.pick([[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80]])), full.subarray(at)]);
        what = 'invalid utf-8';
        break;
      }
      case 'wrong-content-type': {
        contentType = r.pick(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/octet-stream', 'text/csv', '']);
        text = r.chance(0.5) ? JSON.stringify(value ?? {}) : 'a,b\n1,2\n';
        what = `content-type ${contentType || '(none)'}`;
        break;
      }
      case 'oversized': {
        partial = true;
        text = `{"memo":"${'x'.repeat(64 * 1024)}`;
        what = 'declared 12 MiB';
        break;
      }
      case 'empty-body':
        text = r.pick(['', ' ', '\n']);
        what = 'empty';
        break;
      default:
        break;
    }
    if (text === undefined) text = JSON.stringify(value ?? {});
    const headers = this.headersFor(op, value);
    if (contentType) headers['Content-Type'] = contentType;
    if (partial) headers['Content-Length'] = 12 * 1024 * 1024;
    else if (r.chance(0.03)) headers['Transfer-Encoding'] = 'chunked';
    else headers['Content-Length'] = Buffer.byteLength(text);
    if (op.method === 'DELETE' && strategy === 'valid-ish') {
      delete headers['Content-Type'];
      headers['Content-Length'] = 0;
      text = '';
    }
    return {
      strategy,
      method: op.method,
      path,
      headers,
      body: text,
      partial,
      describe: `${strategy} ${op.method} ${path.slice(0, 120)} ${what}`.trim(),
    };
  }
}
