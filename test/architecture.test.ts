/**
 * The rules of the project's structure, checked on the sources themselves:
 * no import circle anywhere in `packages/*\/src`, no module much over 400
 * lines, a core that reads no clock, environment, randomness or I/O, and
 * library code that prints nothing into its host.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const ROOT = fileURLToPath(new URL("..", import.meta.url))
const PACKAGES = path.join(ROOT, "packages")

const sourceFiles = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(full)
    return /\.(ts|js|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : []
  })

const packages = fs.readdirSync(PACKAGES).filter((name) => fs.existsSync(path.join(PACKAGES, name, "src")))
const files = packages.flatMap((name) => sourceFiles(path.join(PACKAGES, name, "src")))
const relative = (file: string) => path.relative(ROOT, file)

/** Static imports and re-exports (type-only ones too: a circle of types is still a circle). */
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"/g

const resolveImport = (from: string, specifier: string): string | undefined => {
  if (specifier.startsWith(".")) {
    const base = path.resolve(path.dirname(from), specifier)
    for (const candidate of [base.replace(/\.js$/, ".ts"), base, `${base}.ts`, path.join(base, "index.ts")]) {
      if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate
    }
    return undefined
  }
  const own = /^@posthog-backfill\/([^/]+)(?:\/(.+))?$/.exec(specifier)
  if (own === null) return undefined
  const [, pkg, subpath] = own
  const src = path.join(PACKAGES, pkg!, "src")
  const target = subpath === undefined ? path.join(src, "index.ts") : [path.join(src, `${subpath}.ts`), path.join(src, subpath, "index.ts")].find(fs.existsSync)
  return target !== undefined && fs.existsSync(target) ? target : undefined
}

const graph = new Map(
  files.map((file) => {
    const text = fs.readFileSync(file, "utf8")
    const targets = [...text.matchAll(IMPORT)].flatMap((match) => resolveImport(file, match[1]!) ?? [])
    return [file, targets] as const
  })
)

const findCircle = (): ReadonlyArray<string> | undefined => {
  const state = new Map<string, "open" | "done">()
  const stack: Array<string> = []
  const visit = (file: string): ReadonlyArray<string> | undefined => {
    if (state.get(file) === "done") return undefined
    if (state.get(file) === "open") return [...stack.slice(stack.indexOf(file)), file]
    state.set(file, "open")
    stack.push(file)
    for (const next of graph.get(file) ?? []) {
      const circle = visit(next)
      if (circle !== undefined) return circle
    }
    stack.pop()
    state.set(file, "done")
    return undefined
  }
  for (const file of graph.keys()) {
    const circle = visit(file)
    if (circle !== undefined) return circle
  }
  return undefined
}

describe("the structure of packages/*/src", () => {
  it("reads the sources it checks", () => {
    expect(packages).toEqual(expect.arrayContaining(["core", "effect", "cli", "testkit"]))
    expect(files.length).toBeGreaterThan(50)
    // The resolver follows relative and cross-package imports (else the circle check could not fail).
    expect(graph.get(path.join(PACKAGES, "core", "src", "index.ts"))!.length).toBeGreaterThan(20)
    expect(graph.get(path.join(PACKAGES, "effect", "src", "Backfill.ts"))).toContain(path.join(PACKAGES, "core", "src", "index.ts"))
  })

  it("has no import circle", () => {
    expect(findCircle()?.map(relative)).toBeUndefined()
  })

  it("has no source module over about 400 lines", () => {
    const long = files
      .map((file) => [relative(file), fs.readFileSync(file, "utf8").split("\n").length] as const)
      .filter(([, lines]) => lines > 420)
    expect(long).toEqual([])
  })

  it("keeps the core pure: no I/O, no clock, no environment, no randomness", () => {
    const impure = /from "(node:)?(fs|child_process|http|https|net|os|path|worker_threads)"|process\.env|Date\.now\(\)|new Date\(\)|Math\.random|performance\.now/
    const offenders = files
      .filter((file) => file.startsWith(path.join(PACKAGES, "core", "src")))
      .filter((file) => impure.test(fs.readFileSync(file, "utf8")))
    expect(offenders.map(relative)).toEqual([])
  })

  it("prints nothing into the host from library code (the CLI may print)", () => {
    const printing = /\bconsole\.(log|info|warn|error|debug)\(|process\.(stdout|stderr)\.write\(/
    const library = files.filter((file) =>
      [path.join(PACKAGES, "core", "src"), path.join(PACKAGES, "effect", "src")].some((dir) => file.startsWith(dir))
    )
    expect(library.filter((file) => printing.test(fs.readFileSync(file, "utf8"))).map(relative)).toEqual([])
  })
})
