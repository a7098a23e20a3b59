// Module hooks (node:module register) for EngineLoading.test.ts: posts every URL the host's process resolves.
let port
export async function initialize(data) {
  port = data.port
}
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  port.postMessage(result.url)
  return result
}
