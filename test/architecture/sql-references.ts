import ts from 'typescript';
import { lineOf } from './source-files';

/**
 * Finds the tables a TypeScript file names in SQL, for the table-ownership spec.
 *
 * Only string and template literals are read (comments never are), and inside them only SQL
 * positions count: the name after FROM, JOIN, INTO, UPDATE, TABLE or TRUNCATE, each name of a
 * `FROM a, b` list, and each name in `FOR UPDATE OF a, b` (also FOR SHARE / NO KEY UPDATE / KEY
 * SHARE). So 'No loans found' or `/v1/claims/${id}` never match. The keywords must be upper case,
 * as this code base writes SQL, unless the literal itself starts like a statement (`select `,
 * `insert into`, `update x set`, `delete from`, `with x as (`, `create table`, …): then lower-case
 * SQL counts too. That keeps English text such as "made good from agencies" out while a
 * lower-case query is still seen.
 *
 * Besides SQL, two TypeORM spellings name a table: `@Entity('name')` (or `@Entity({ name })`, or an
 * unnamed `@Entity()` whose class name TypeORM turns into snake_case) and a table name passed as a
 * string to a query builder's from/into/update/…Join. A `${…}` in a template reads as `?`, so a
 * table name built at run time is not seen (none is today).
 */

export type ReferenceKind = 'sql' | 'entity' | 'query-builder';

export interface TableReference {
  table: string;
  line: number;
  kind: ReferenceKind;
}

/** A string or template literal's text, with a way back from an index to a source line. */
interface Literal {
  text: string;
  lineAt(index: number): number;
}

/** How a lower-case statement starts; strict enough that English text ("With the loans from …") does not. */
const STATEMENT_START =
  /^\s*(?:select\s|insert\s+into\s|update\s+\S+\s+set\s|delete\s+from\s|with\s+\S+\s+as\s*\(|(?:create|alter|drop|lock|truncate)\s+table\s)/i;

const UPPER_STATEMENT_START =
  /^\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|LOCK|TRUNCATE|MERGE|COPY)\b/;

/** An optionally schema-qualified, optionally quoted name; the bare name is group 1. */
const NAME = '(?:"?[A-Za-z_][A-Za-z0-9_]*"?\\.)?"?([A-Za-z_][A-Za-z0-9_]*)"?';

const AFTER_KEYWORD = `\\b(?:FROM|JOIN|INTO|UPDATE(?!\\s+OF\\b)|TABLE|TRUNCATE)\\s+(?:ONLY\\s+)?(?:IF\\s+(?:NOT\\s+)?EXISTS\\s+)?${NAME}`;
/** After a FROM name: `[[AS] alias], next_name` (a comma-separated FROM list). */
const FROM_LIST_NEXT = `\\s*(?:(?:AS\\s+)?[A-Za-z_][A-Za-z0-9_]*\\s*)?,\\s*${NAME}`;
const LOCKING_OF = `\\bFOR\\s+(?:NO\\s+KEY\\s+UPDATE|UPDATE|KEY\\s+SHARE|SHARE)\\s+OF\\s+${NAME}`;
const OF_LIST_NEXT = `\\s*,\\s*${NAME}`;

const CREATE_TABLE = new RegExp(
  `\\bCREATE\\s+(?:UNLOGGED\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${NAME}`,
  'gi',
);

const QUERY_BUILDER_METHODS = new Set([
  'from',
  'into',
  'update',
  'innerJoin',
  'leftJoin',
  'innerJoinAndSelect',
  'leftJoinAndSelect',
  'innerJoinAndMapOne',
  'innerJoinAndMapMany',
  'leftJoinAndMapOne',
  'leftJoinAndMapMany',
]);

/** Every table of `tables` that the file names in SQL, in an entity decorator or a query builder. */
export function tableReferences(
  source: ts.SourceFile,
  tables: ReadonlySet<string>,
): TableReference[] {
  const found: TableReference[] = [];
  const add = (name: string, line: number, kind: ReferenceKind): void => {
    const table = name.toLowerCase();
    if (!tables.has(table)) return;
    if (!found.some((r) => r.table === table && r.line === line && r.kind === kind))
      found.push({ table, line, kind });
  };

  const visit = (node: ts.Node): void => {
    const literal = literalOf(source, node);
    if (literal) {
      for (const { name, index } of sqlNames(literal.text)) add(name, literal.lineAt(index), 'sql');
    }
    if (ts.isDecorator(node)) {
      const entity = entityTableName(node);
      if (entity) add(entity, lineOf(source, node.getStart(source)), 'entity');
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const [first] = node.arguments;
      if (
        QUERY_BUILDER_METHODS.has(node.expression.name.text) &&
        first &&
        ts.isStringLiteralLike(first)
      ) {
        add(first.text, lineOf(source, first.getStart(source)), 'query-builder');
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.sort((a, b) => a.line - b.line || a.table.localeCompare(b.table));
}

/** The tables a migration creates (`CREATE TABLE name`), in the order written. */
export function createdTables(source: ts.SourceFile): string[] {
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    const literal = literalOf(source, node);
    if (literal)
      for (const m of literal.text.matchAll(CREATE_TABLE)) names.push(m[1].toLowerCase());
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

/** Whether a literal's text is an SQL statement: an upper-case verb, or a lower-case one as STATEMENT_START spells it. */
export function looksLikeSqlStatement(text: string): boolean {
  return UPPER_STATEMENT_START.test(text) || STATEMENT_START.test(text);
}

/** The names in SQL positions of one literal's text, with their index in the text. */
export function sqlNames(text: string): { name: string; index: number }[] {
  const flags = STATEMENT_START.test(text) ? 'gi' : 'g';
  const sticky = flags.replace('g', 'y');
  const names: { name: string; index: number }[] = [];
  const collect = (
    head: string,
    next: string | null,
    keywordIsFrom: (m: RegExpExecArray) => boolean,
  ): void => {
    const headRe = new RegExp(head, flags);
    for (let m = headRe.exec(text); m; m = headRe.exec(text)) {
      names.push({ name: m[1], index: m.index });
      if (next === null || !keywordIsFrom(m)) continue;
      const nextRe = new RegExp(next, sticky);
      nextRe.lastIndex = m.index + m[0].length;
      for (let n = nextRe.exec(text); n; n = nextRe.exec(text))
        names.push({ name: n[1], index: n.index });
    }
  };
  collect(AFTER_KEYWORD, FROM_LIST_NEXT, (m) => /^FROM\b/i.test(m[0]));
  collect(LOCKING_OF, OF_LIST_NEXT, () => true);
  return names;
}

/** A literal's text, or undefined for any other node. A template's `${…}` parts read as `?`. */
function literalOf(source: ts.SourceFile, node: ts.Node): Literal | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
    const line = lineOf(source, node.getStart(source));
    return { text: node.text, lineAt: (i) => line + newlines(node.text, 0, i) };
  }
  if (ts.isTemplateExpression(node)) {
    const parts: { offset: number; line: number; text: string }[] = [];
    let text = '';
    for (const part of [node.head, ...node.templateSpans.map((s) => s.literal)]) {
      if (parts.length > 0) text += '?';
      parts.push({
        offset: text.length,
        line: lineOf(source, part.getStart(source)),
        text: part.text,
      });
      text += part.text;
    }
    return {
      text,
      lineAt: (i) => {
        const part = [...parts].reverse().find((p) => p.offset <= i) ?? parts[0];
        return part.line + newlines(part.text, 0, i - part.offset);
      },
    };
  }
  return undefined;
}

function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to && i < text.length; i++) if (text[i] === '\n') n++;
  return n;
}

/** The table of `@Entity(...)` / `@ViewEntity(...)`, or undefined for other decorators. */
function entityTableName(decorator: ts.Decorator): string | undefined {
  const call = decorator.expression;
  if (!ts.isCallExpression(call)) return undefined;
  const callee = ts.isPropertyAccessExpression(call.expression)
    ? call.expression.name
    : call.expression;
  if (!ts.isIdentifier(callee) || (callee.text !== 'Entity' && callee.text !== 'ViewEntity'))
    return undefined;
  const [arg] = call.arguments;
  if (arg && ts.isStringLiteralLike(arg)) return arg.text;
  if (arg && ts.isObjectLiteralExpression(arg)) {
    for (const p of arg.properties) {
      if (
        ts.isPropertyAssignment(p) &&
        p.name.getText() === 'name' &&
        ts.isStringLiteralLike(p.initializer)
      )
        return p.initializer.text;
    }
  }
  // No name given: TypeORM's default naming strategy uses the class name in snake_case.
  const cls = decorator.parent;
  if (ts.isClassDeclaration(cls) && cls.name) return snakeCase(cls.name.text);
  return undefined;
}

function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}
