import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/** The repository root (this file is test/architecture/source-files.ts). */
export const ROOT = join(__dirname, '..', '..');

const SPEC = /\.(spec|int-spec|e2e-spec)\.ts$/;

/** A parsed TypeScript file, named by its path relative to the repository root with `/`. */
export interface SourceFile {
  path: string;
  source: ts.SourceFile;
}

/** Parses TypeScript text; `path` is only used for messages (and for TSX detection, never here). */
export function parseSource(path: string, text: string): ts.SourceFile {
  return ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

/** Every `*.ts` file under `dir` (relative to the root), specs and declaration files left out. */
export function productionSources(dir: string): SourceFile[] {
  return listTs(join(ROOT, dir))
    .filter((file) => !SPEC.test(file) && !file.endsWith('.d.ts'))
    .map((file) => {
      const path = relative(ROOT, file).split(sep).join('/');
      return { path, source: parseSource(path, readFileSync(file, 'utf8')) };
    });
}

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) return listTs(full);
      return entry.isFile() && entry.name.endsWith('.ts') ? [full] : [];
    })
    .sort();
}

/** 1-based line of a position. */
export function lineOf(source: ts.SourceFile, pos: number): number {
  return source.getLineAndCharacterOfPosition(pos).line + 1;
}
