/**
 * PostHog's own HogQL parser (`@posthog/hogql-parser`, WebAssembly), for the
 * tests: a query that does not parse here would not run in PostHog.
 */
import createHogQLParser from "@posthog/hogql-parser"

const parser = await createHogQLParser()

/** A node of the parser's AST (JSON). */
export interface AstNode {
  readonly node?: string
  readonly [key: string]: unknown
}

/** Parses a SELECT; throws with the parser's message (and the text) when it does not parse. */
export const parseSelect = (hogql: string): AstNode => {
  const ast = JSON.parse(parser.parseSelect(hogql, true)) as AstNode & { error?: boolean; message?: string }
  if (ast.error === true) throw new Error(`PostHog's parser refused the query: ${ast.message}\n${hogql}`)
  return ast
}

/** Every node of an AST, depth first. */
export const nodesOf = function*(node: unknown): Generator<AstNode> {
  if (Array.isArray(node)) {
    for (const child of node) yield* nodesOf(child)
  } else if (typeof node === "object" && node !== null) {
    if (typeof (node as AstNode).node === "string") yield node as AstNode
    for (const value of Object.values(node)) yield* nodesOf(value)
  }
}

/** The function calls of a query, by name, with their arguments. */
export const callsOf = (ast: AstNode): ReadonlyArray<{ readonly name: string; readonly args: ReadonlyArray<AstNode> }> =>
  Array.from(nodesOf(ast))
    .filter((node) => node.node === "Call")
    .map((node) => ({ name: String(node["name"]), args: (node["args"] ?? []) as ReadonlyArray<AstNode> }))
