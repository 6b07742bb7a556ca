/**
 * Checks the edge of the service applies to every piece of text a request carries (JSON strings
 * and keys, path segments, query values, CSV bodies) before any other code sees it
 * (docs/reliability.md "Limits"):
 *
 * - the text must be valid Unicode: no lone UTF-16 surrogate (`"\ud800"` in JSON). PostgreSQL
 *   would store U+FFFD instead, so a hash computed over the request would never match the
 *   stored row (issue 10 item 1);
 * - no NUL (PostgreSQL cannot store it in text: "invalid byte sequence for encoding UTF8: 0x00")
 *   and no other control character (C0, DEL, C1), except tab, line feed and carriage return in
 *   free-form text (JSON string values and CSV bodies; never in keys, paths or query values).
 *
 * Also the shape limits of JSON bodies: at most {@link MAX_JSON_DEPTH} levels of nesting, checked
 * on the raw text before `JSON.parse` (so no recursive code ever sees a deeper document); at most
 * {@link MAX_OBJECT_MEMBERS} members in any object; and no key `__proto__`, `constructor` or
 * `prototype` anywhere (refused like any unknown field: they are no field of any request, and
 * class-transformer would treat them specially).
 *
 * Pure: no framework imports.
 */

/** Nesting levels of objects and arrays a JSON body may have (a ledger batch needs 4). */
export const MAX_JSON_DEPTH = 64;

/**
 * Members an object of a JSON body may have. No request object has more than a few dozen fields;
 * an object with millions of keys would make validation build one error per key (gigabytes).
 */
export const MAX_OBJECT_MEMBERS = 1000;

/** Keys refused anywhere in a JSON body. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type TextProblemCode = 'NUL_CHARACTER' | 'CONTROL_CHARACTER' | 'LONE_SURROGATE';

export interface TextProblem {
  code: TextProblemCode;
  /** UTF-16 index of the offending character. */
  index: number;
}

const TEXT_MESSAGES: Record<TextProblemCode, string> = {
  NUL_CHARACTER: 'contains a NUL character (U+0000), which cannot be stored',
  CONTROL_CHARACTER: 'contains a control character',
  LONE_SURROGATE: 'is not valid Unicode (a lone UTF-16 surrogate)',
};

export function textProblemMessage(code: TextProblemCode): string {
  return TEXT_MESSAGES[code];
}

// Control characters: C0 except tab/LF/CR (free-form) or all of C0 (strict), DEL, C1. Matching
// control characters is the point of these two expressions.
// eslint-disable-next-line no-control-regex
const CONTROL_FREE_FORM = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_STRICT = /[\u0000-\u001f\u007f-\u009f]/;
// In a `u` regex a surrogate matches only when it is not part of a pair.
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * The first problem of `text`, or null. `freeForm` allows tab, line feed and carriage return.
 * Two regular-expression scans in the common case (no problem), so long texts stay cheap.
 */
export function textProblem(text: string, freeForm: boolean): TextProblem | null {
  const control = (freeForm ? CONTROL_FREE_FORM : CONTROL_STRICT).exec(text);
  const surrogate = LONE_SURROGATE.exec(text);
  if (!control && !surrogate) return null;
  if (surrogate && (!control || surrogate.index < control.index)) return { code: 'LONE_SURROGATE', index: surrogate.index };
  const c = control as RegExpExecArray;
  return { code: c[0] === '\u0000' ? 'NUL_CHARACTER' : 'CONTROL_CHARACTER', index: c.index };
}

/**
 * True when the JSON text nests objects/arrays deeper than `limit`. One pass over the characters,
 * skipping string contents (with their escapes); it does not validate the JSON (JSON.parse does).
 */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth > limit) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}

export interface JsonProblem {
  /** Dotted path of the offending value or key (`lines.0.memo`); the key itself for a bad key. */
  field: string;
  code: TextProblemCode | 'UNKNOWN_FIELD' | 'TOO_DEEP' | 'TOO_MANY_MEMBERS';
  message: string;
}

interface Frame {
  value: unknown;
  parent: Frame | null;
  key: string;
  depth: number;
  /** A problem found on a key, reported when the walk reaches it (keeps document order). */
  problem?: JsonProblem;
}

function pathOf(frame: Frame | null, key?: string): string {
  const parts: string[] = key === undefined ? [] : [key];
  for (let f = frame; f && f.parent; f = f.parent) parts.push(f.key);
  return parts.reverse().join('.');
}

/**
 * Walks a parsed JSON value without recursion and lists up to `max` problems: forbidden keys,
 * text problems in keys (strict) and in string values (free-form), and nesting deeper than
 * `depthLimit` (already refused on the raw text by the body reader; checked again here so the
 * walk is safe on any value).
 */
export function jsonProblems(root: unknown, depthLimit = MAX_JSON_DEPTH, max = 20): JsonProblem[] {
  const problems: JsonProblem[] = [];
  const stack: Frame[] = [{ value: root, parent: null, key: '', depth: 0 }];
  while (stack.length && problems.length < max) {
    const frame = stack.pop() as Frame;
    if (frame.problem) {
      problems.push(frame.problem);
      continue;
    }
    const { value } = frame;
    if (typeof value === 'string') {
      const p = textProblem(value, true);
      if (p) problems.push({ field: pathOf(frame), code: p.code, message: `${pathOf(frame) || 'body'} ${textProblemMessage(p.code)}` });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (frame.depth >= depthLimit) {
      problems.push({ field: pathOf(frame), code: 'TOO_DEEP', message: `nested deeper than ${depthLimit} levels` });
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], parent: frame, key: String(i), depth: frame.depth + 1 });
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > MAX_OBJECT_MEMBERS) {
      problems.push({ field: pathOf(frame), code: 'TOO_MANY_MEMBERS', message: `${pathOf(frame) || 'body'} has ${keys.length} members; at most ${MAX_OBJECT_MEMBERS}` });
      continue;
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      const child = { value: undefined, parent: frame, key, depth: frame.depth + 1 };
      if (FORBIDDEN_KEYS.has(key)) {
        stack.push({ ...child, problem: { field: pathOf(frame, key), code: 'UNKNOWN_FIELD', message: `property ${key} should not exist` } });
        continue;
      }
      const p = textProblem(key, false);
      if (p) {
        stack.push({ ...child, problem: { field: pathOf(frame, key), code: p.code, message: `a property name ${textProblemMessage(p.code)}` } });
        continue;
      }
      stack.push({ value: (value as Record<string, unknown>)[key], parent: frame, key, depth: frame.depth + 1 });
    }
  }
  return problems;
}
