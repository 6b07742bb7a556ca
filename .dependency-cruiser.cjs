// @ts-check
/**
 * Module boundaries, checked in CI by `npm run boundaries` (docs/architecture.md, "Modules and who
 * owns what"). Paths are matched against file names relative to the repository root, e.g.
 * `src/claims/claims.service.ts`; npm packages appear as `node_modules/<package>/…` and Node's own
 * modules by their bare name (`fs`, also when imported as `node:fs`).
 *
 * Feature modules are the folders src/<name>/ other than src/common and src/config. Type-only
 * imports count like any other import (for purity and cycles too): a type is still a dependency of
 * the design, even when the compiler erases it. The one exception is spelled out in
 * `entity-types-only-across-modules` below.
 */

/** Spec files: exempt from domain purity (a spec may build fixtures any way it likes). */
const SPEC = '\\.(spec|int-spec|e2e-spec)\\.ts$';

/** Files under any domain/ folder in src (src/claims/domain/…, src/ledger/posting/domain/…). */
const DOMAIN = '^src/.*/domain/';

/** Entity files: `*.entity.ts`, and the older plural `*.entities.ts` holding several entities. */
const ENTITY = '\\.entit(?:y|ies)\\.ts$';

/** What domain code must never reach, directly or through anything it imports. */
const IMPURE = [
  // Framework, ORM, database drivers, queues, HTTP, spreadsheets, logging.
  // (`@types/` too: a type-only import may resolve to the package's separate typings.)
  '^node_modules/(?:@types/)?(?:@nestjs/|typeorm/|pg/|pg-[^/]+/|bullmq/|ioredis/|express/|exceljs/|@electric-sql/|pino/|pino-http/|nestjs-pino/)',
  // Node's I/O modules (node:crypto, node:path and the like stay allowed: they do no I/O).
  '^(?:node:)?(?:fs|fs/promises|net|http|https|http2|dgram|dns|dns/promises|tls|child_process|cluster|worker_threads|readline|repl|inspector|v8|vm)$',
  // Wiring, persistence and HTTP files of any module.
  '\\.(?:service|module|controller)\\.ts$',
  ENTITY,
];

/** Files another module may import: its module, services, ports, error codes, and its domain/. */
const SURFACE = [
  '^src/[^/]+/.*\\.(?:module|service|port|errors)\\.ts$',
  '^src/[^/]+/domain/',
  '^src/[^/]+/.*/domain/',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'Code under domain/ is pure rules: nothing it imports, directly or through other files, may be ' +
        'NestJS, TypeORM, pg, BullMQ, Redis, Express, ExcelJS, Node I/O, or a service/module/controller/' +
        'entity file. Pass plain values in; let the service do the I/O.',
      from: { path: DOMAIN, pathNot: SPEC },
      to: { path: IMPURE, reachable: true },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Files in src import each other in a cycle. Break it: move the shared piece down (domain/ or ' +
        'common/), or let the lower module declare a port that the upper one implements.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'module-surface',
      severity: 'error',
      comment:
        "A feature module (src/<name>/) may use another one only through that module's *.module.ts, " +
        '*.service.ts, *.port.ts, *.errors.ts or anything under its domain/. Ask the owning service, or ' +
        'move the piece into its domain/.',
      from: { path: '^src/([^/]+)/', pathNot: '^src/(?:common|config)/' },
      to: {
        path: '^src/[^/]+/',
        pathNot: ['^src/$1/', '^src/(?:common|config)/', ...SURFACE, ENTITY],
      },
    },
    {
      // Another module's entity may be imported for its type only (`import type { Loan } …`), e.g.
      // to describe what a service returns; creating, querying or decorating with it stays with
      // the owner, through the owner's service.
      name: 'entity-types-only-across-modules',
      severity: 'error',
      comment:
        "Another module's entity may only be imported with `import type`. To read or write its table, " +
        "call the owning module's service.",
      from: { path: '^src/([^/]+)/', pathNot: '^src/(?:common|config)/' },
      to: {
        path: ENTITY,
        pathNot: ['^src/$1/', '^src/(?:common|config)/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'common-is-below-features',
      severity: 'error',
      comment:
        'src/common and src/config are the bottom layer that every module may import; they may not ' +
        'import a feature module. Move the needed piece into common/, or invert the dependency.',
      from: { path: '^src/(?:common|config)/' },
      to: { path: '^src/(?!(?:common|config)/)[^/]+/' },
    },
    {
      name: 'migrations-stand-alone',
      severity: 'error',
      comment:
        'A migration is frozen history: it may not import application code, whose later changes would ' +
        'silently change what an old migration does.',
      from: { path: '^migrations/' },
      to: { path: '^src/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that cannot be resolved would slip past every rule above; fix the path.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: '^node_modules/' },
    exclude: { path: '^(?:dist|coverage)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    // Keep type-only imports in the graph (they are erased from the compiled JavaScript).
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.json', '.d.ts'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
