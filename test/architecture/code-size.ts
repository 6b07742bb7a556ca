import ts from 'typescript';
import { lineOf } from './source-files';
import { looksLikeSqlStatement } from './sql-references';

/**
 * The size rule (issue 9; docs/architecture.md, "Size"): no class over 400 lines and no function
 * over 80, unless the comment right above it says `size:` and why.
 *
 * Counted lines are lines with code on them: blank lines and lines holding only comments do not
 * count. An SQL literal (a string or template that starts like a statement: SELECT, INSERT, UPDATE,
 * DELETE, WITH, …; see looksLikeSqlStatement) counts as the line it starts on, however many it
 * spans (its closing line counts too when code follows the closing quote, e.g. `…\`,`): a long query
 * is one step of the function that sends it, and splitting it to please a line count would not
 * help the reader. Other multi-line literals count every line.
 */

export const CLASS_LIMIT = 400;
export const FUNCTION_LIMIT = 80;

export type SizedKind = 'class' | 'function';

export interface SizedItem {
  kind: SizedKind;
  name: string;
  line: number;
  lines: number;
  /** The reason from a `size:` comment right above the item, when there is one. */
  exemption?: string;
}

/** `size:` at the start of a comment line (after `//`, `/*` or ` * `), then the reason. */
const EXEMPTION = /^[\s/*]*size:[ \t]*(\S.*)$/m;
const GENERATED = /@generated\b/;

/** Every class and function of a file with its counted lines; empty for a generated file. */
export function measure(source: ts.SourceFile): SizedItem[] {
  if (isGenerated(source)) return [];
  const codeLines = codeLinesOf(source);
  const count = (node: ts.Node): number => {
    let n = 0;
    for (
      let line = lineOf(source, node.getStart(source));
      line <= lineOf(source, node.getEnd());
      line++
    )
      if (codeLines.has(line)) n++;
    return n;
  };
  const items: SizedItem[] = [];
  const visit = (node: ts.Node): void => {
    const kind = ts.isClassLike(node) ? 'class' : isFunctionLike(node) ? 'function' : undefined;
    if (kind) {
      const exemption = exemptionOf(source, node);
      items.push({
        kind,
        name: nameOf(node),
        line: lineOf(source, node.getStart(source)),
        lines: count(node),
        ...(exemption ? { exemption } : {}),
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return items;
}

/** The items over their limit that no `size:` comment exempts. */
export function oversized(
  items: SizedItem[],
  limits = { class: CLASS_LIMIT, function: FUNCTION_LIMIT },
): SizedItem[] {
  return items.filter((i) => i.lines > limits[i.kind] && i.exemption === undefined);
}

function isFunctionLike(node: ts.Node): boolean {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** The lines with at least one token on them (comments and blank lines have none); an SQL literal marks only its first line. */
function codeLinesOf(source: ts.SourceFile): Set<number> {
  const lines = new Set<number>();
  const mark = (node: ts.Node, firstLineOnly: boolean): void => {
    const first = lineOf(source, node.getStart(source));
    const last = firstLineOnly ? first : lineOf(source, node.getEnd());
    for (let line = first; line <= last; line++) lines.add(line);
  };
  const visit = (node: ts.Node): void => {
    // JSDoc comments are children of the node they document: they are still comments.
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode)
      return;
    if (isSqlLiteral(node)) return mark(node, true);
    // getChildren() includes the tokens (punctuation, keywords) that forEachChild skips.
    const children = node.getChildren(source);
    if (children.length === 0) {
      if (node.kind !== ts.SyntaxKind.EndOfFileToken) mark(node, false);
      return;
    }
    for (const child of children) visit(child);
  };
  visit(source);
  return lines;
}

function isSqlLiteral(node: ts.Node): boolean {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
    return looksLikeSqlStatement(node.text);
  if (ts.isTemplateExpression(node)) return looksLikeSqlStatement(node.head.text);
  return false;
}

/**
 * The reason in a `size:` comment right above the item. For a function that is a value (`const f =
 * () => …`, a property, an argument), "above it" means above the outermost node that starts on the
 * same line, e.g. the `const` statement.
 */
function exemptionOf(source: ts.SourceFile, node: ts.Node): string | undefined {
  const text = source.getFullText();
  let anchor = node;
  const startLine = lineOf(source, node.getStart(source));
  while (
    anchor.parent &&
    !ts.isSourceFile(anchor.parent) &&
    lineOf(source, anchor.parent.getStart(source)) === startLine
  )
    anchor = anchor.parent;
  const comments = ts.getLeadingCommentRanges(text, anchor.getFullStart()) ?? [];
  // Only the block of comments directly above: each one ends on the line before the next starts.
  let nextLine = lineOf(source, anchor.getStart(source));
  for (let i = comments.length - 1; i >= 0; i--) {
    const c = comments[i];
    if (lineOf(source, c.end) < nextLine - 1) break;
    const reason = EXEMPTION.exec(text.slice(c.pos, c.end).replace(/\s*\*\/$/, ''));
    if (reason) return reason[1].trim();
    nextLine = lineOf(source, c.pos);
  }
  return undefined;
}

function nameOf(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (
    named.name &&
    (ts.isIdentifier(named.name) ||
      ts.isPrivateIdentifier(named.name) ||
      ts.isStringLiteral(named.name))
  ) {
    const name = named.name.text;
    const cls =
      node.parent && ts.isClassLike(node.parent) && node.parent.name
        ? `${node.parent.name.text}.`
        : '';
    return ts.isClassLike(node) ? name : `${cls}${name}`;
  }
  if (ts.isConstructorDeclaration(node))
    return `${node.parent.name?.text ?? '(class)'}.constructor`;
  // An anonymous function: named after the variable or property it is assigned to, if any.
  const parent = node.parent;
  if (
    parent &&
    (ts.isVariableDeclaration(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isPropertyAssignment(parent)) &&
    ts.isIdentifier(parent.name)
  ) {
    return parent.name.text;
  }
  // Otherwise after the function or class it sits in: `LoansService.register › callback`.
  for (let outer = node.parent; outer; outer = outer.parent) {
    if (isFunctionLike(outer) || ts.isClassLike(outer))
      return `${nameOf(outer)} › ${ts.isClassLike(node) ? 'class' : 'callback'}`;
  }
  return ts.isClassLike(node) ? '(anonymous class)' : '(anonymous function)';
}

function isGenerated(source: ts.SourceFile): boolean {
  const first = ts.getLeadingCommentRanges(source.getFullText(), 0)?.[0];
  return first !== undefined && GENERATED.test(source.getFullText().slice(first.pos, first.end));
}
