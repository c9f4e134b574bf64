/**
 * `pnpm lint`: a dependency two or more workspace packages declare takes its version from the pnpm
 * catalog (`pnpm-workspace.yaml`), written `"catalog:"` in each package.json, so versions cannot drift
 * apart. `catalogMode: prefer` makes `pnpm add` do this for a name already catalogued; this catches
 * the second package to add a name that is not yet.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const workspace = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
// The `packages:` list: `- apps/*` or `- bench` lines up to the next top-level key.
const globs = (workspace.match(/^packages:\n((?:\s+- .+\n)+)/m)?.[1] ?? "")
  .split("\n")
  .map((line) => line.trim().replace(/^- /, "").replace(/["']/g, ""))
  .filter(Boolean);

const dirs = ["."];
for (const glob of globs) {
  if (glob.endsWith("/*")) {
    const parent = glob.slice(0, -2);
    for (const name of readdirSync(join(root, parent))) dirs.push(join(parent, name));
  } else dirs.push(glob);
}

const uses = new Map<string, { dir: string; spec: string }[]>();
for (const dir of dirs) {
  const file = join(root, dir, "package.json");
  if (!existsSync(file)) continue;
  const manifest = JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, string> | undefined>;
  for (const section of ["dependencies", "devDependencies", "optionalDependencies"]) {
    for (const [name, spec] of Object.entries(manifest[section] ?? {})) {
      if (spec.startsWith("workspace:")) continue;
      uses.set(name, [...(uses.get(name) ?? []), { dir, spec }]);
    }
  }
}

const problems = [...uses]
  .filter(([, at]) => at.length > 1 && at.some((u) => u.spec !== "catalog:"))
  .map(([name, at]) => `${name}: ${at.map((u) => `${u.dir} ${u.spec}`).join(", ")}`);
if (problems.length) {
  console.error(
    `Shared by two or more packages, so each must say "catalog:" (and pnpm-workspace.yaml's catalog hold the version):\n  ${problems.join("\n  ")}`,
  );
  process.exit(1);
}
console.log(`catalog: ${[...uses].filter(([, at]) => at.length > 1).length} shared dependencies, all from the catalog`);
