/**
 * The engine (`engine.ts`, shipped as one bundle with its Effect runtime),
 * loaded once, on the first call that needs it.
 *
 * @internal
 */
type Engine = typeof import("../engine.js")

let engine: Promise<Engine> | undefined

/** @internal */
export const loadEngine = (): Promise<Engine> => (engine ??= import("../engine.js"))
