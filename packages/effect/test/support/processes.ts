/**
 * Real child processes for the tests of anything that crosses processes: each
 * child runs a script, prints `ready` once it has loaded, and waits for `go`
 * on stdin, so a test can start many of them at the same instant.
 */
import { type ChildProcess, spawn } from "node:child_process"

export interface Finished {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface Child {
  readonly process: ChildProcess
  /** Resolves once the child printed `ready`. */
  readonly ready: Promise<void>
  /** Resolves when the child exits. */
  readonly finished: Promise<Finished>
  /** Lets the child start its work. */
  readonly go: () => void
}

/** Starts `node <script> ...args` with `env` added to this process's environment. */
export const startChild = (script: string, args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}): Child => {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  let markReady: () => void = () => undefined
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk
    if (stdout.includes("ready\n")) markReady()
  })
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  const finished = new Promise<Finished>((resolve) => {
    child.on("exit", (code, signal) => {
      markReady()
      resolve({ code, signal, stdout, stderr })
    })
  })
  return { process: child, ready, finished, go: () => child.stdin?.end("go\n") }
}

/** Starts every child's work at once, after all of them have loaded, and waits for all of them to exit. */
export const runTogether = async (children: ReadonlyArray<Child>): Promise<ReadonlyArray<Finished>> => {
  await Promise.all(children.map((child) => child.ready))
  for (const child of children) child.go()
  return Promise.all(children.map((child) => child.finished))
}
