/**
 * The architecture's boundaries, checked by `pnpm lint` (dependency-cruiser). Paths are relative to the
 * repository root. docs/ARCHITECTURE.md ("Modules today") describes the layout these rules keep.
 */

// A domain module's public surface: its index.ts, its browser-safe *.schemas.ts, its `testing` entry,
// and the job registry's worker side (jobs/handlers.ts, jobs/worker-deps.ts for the module handlers).
// `platform` is the shared kernel (errors, queue, mail, secrets): every module uses its files directly.
const DOMAIN = "^packages/domain/src/";
const PUBLIC_ENTRIES = [
  `${DOMAIN}[^/]+/index\\.ts$`,
  `${DOMAIN}[^/]+/[^/]+\\.schemas\\.ts$`,
  `${DOMAIN}[^/]+/testing/index\\.ts$`,
  `${DOMAIN}jobs/(handlers|worker-deps)\\.ts$`,
  // Reached only from the registry: see "registry-reaches-handlers".
  `${DOMAIN}[^/]+/[^/]+\\.handlers\\.ts$`,
  `${DOMAIN}platform/`,
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No import cycles, between files or modules (type-only imports count: they tie modules together too).",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "module-through-its-entry",
      comment: "Another domain module only through its index.ts, its *.schemas.ts or its testing entry.",
      severity: "error",
      from: { path: `${DOMAIN}([^/]+)/` },
      to: {
        path: `${DOMAIN}[^/]+/`,
        pathNot: [`${DOMAIN}$1/`, ...PUBLIC_ENTRIES],
      },
    },
    {
      name: "registry-reaches-handlers",
      comment: "Only the job registry imports a module's *.handlers.ts (services enqueue definitions, never handlers).",
      severity: "error",
      from: { pathNot: `${DOMAIN}jobs/handlers\\.ts$` },
      to: { path: `\\.handlers\\.ts$` },
    },
    {
      name: "platform-is-a-leaf",
      comment: "platform knows no module (WorkerDeps and the module-typed deps live in packages/domain/src/jobs).",
      severity: "error",
      from: { path: `${DOMAIN}platform/` },
      to: { path: DOMAIN, pathNot: `${DOMAIN}platform/` },
    },
    {
      name: "routers-hold-no-sql",
      comment:
        "A router validates, calls its module's service and shapes the answer: no SQL and no transactions of its own (those are the domain's).",
      severity: "error",
      from: { path: "^apps/api/src/routers/" },
      to: { path: ["^packages/db/", "node_modules/kysely/"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "testing-stays-out-of-production",
      comment:
        "Test servers and fixtures live behind `testing` entries; production code never reaches them (scripts/dev.ts and tests may).",
      severity: "error",
      from: {
        path: "^(apps/(api|worker)/src|packages/(domain|db)/src)/",
        pathNot: ["\\.test\\.ts$", "/testing/", "/testing\\.ts$", "test-global-setup\\.ts$", "^apps/api/src/inventory\\.ts$"],
      },
      // inventory.ts holds the row fixtures (it imports testing entries): only @inkwell/api/testing reaches it.
      to: { path: ["/testing/", "/testing\\.ts$", "^apps/api/src/inventory\\.ts$"] },
    },
    {
      name: "packages-never-import-apps",
      severity: "error",
      from: { path: "^packages/" },
      to: { path: "^apps/" },
    },
    {
      name: "web-imports-only-schemas",
      comment:
        "The browser bundle takes from the domain only the browser-safe schema entries, the error codes and the pure text rules.",
      severity: "error",
      from: { path: "^apps/web/src/" },
      to: {
        path: DOMAIN,
        pathNot: [`${DOMAIN}[^/]+/[^/]+\\.schemas\\.ts$`, `${DOMAIN}platform/(errors|text)\\.ts$`],
      },
    },
    {
      name: "web-imports-api-types-only",
      comment: "The web knows the API by its types (AppRouter); no server code reaches the bundle.",
      severity: "error",
      from: { path: "^apps/web/src/" },
      to: { path: "^apps/api/", dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["node_modules", "/dist/", "\\.tmp\\.ts$"] },
    // Type-only imports are dependencies too (they are what makes an AppRouter import type-only).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "types", "default"],
      extensions: [".ts", ".tsx", ".js", ".mjs"],
    },
    cache: { folder: "node_modules/.cache/dependency-cruiser", strategy: "content" },
  },
};
