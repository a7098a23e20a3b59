// @ts-check
/**
 * Timing a whole process: wall time and peak RSS (the process's maximum
 * resident set size, threads included), the way `/usr/bin/time -v` reports it.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"

/**
 * How peak RSS is read: GNU time (`-v`, kilobytes), BSD time (`-l`, bytes:
 * macOS), else VmHWM polled from /proc while the process runs, else not at all.
 *
 * @type {"gnu" | "bsd" | "proc" | "none"}
 */
export const rssProbe = (() => {
  if (fs.existsSync("/usr/bin/time")) {
    const gnu = spawnSync("/usr/bin/time", ["-v", "true"], { encoding: "utf8" })
    if (gnu.status === 0 && /Maximum resident set size/.test(gnu.stderr)) return "gnu"
    const bsd = spawnSync("/usr/bin/time", ["-l", "true"], { encoding: "utf8" })
    if (bsd.status === 0 && /maximum resident set size/.test(bsd.stderr)) return "bsd"
  }
  return fs.existsSync("/proc/self/status") ? "proc" : "none"
})()

/** Where the peak RSS figures come from, for the report. */
export const RSS_SOURCE = {
  gnu: "/usr/bin/time -v",
  bsd: "/usr/bin/time -l",
  proc: "/proc/<pid>/status VmHWM, polled every 5 ms",
  none: "not measured on this system"
}[rssProbe]

/**
 * Runs `node <args>` to its end, stdout discarded, and returns its wall time
 * and peak RSS in MB (NaN when this system offers no way to read it). Rejects
 * when it exits with another code than `expectCode`.
 *
 * @param {ReadonlyArray<string>} args
 * @param {Record<string, string>} env
 * @param {{ cwd?: string, expectCode?: number }} [options]
 * @returns {Promise<{ wallMs: number, rssMb: number }>}
 */
export const measureNode = (args, env, options = {}) =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const timeFlag = rssProbe === "gnu" ? "-v" : rssProbe === "bsd" ? "-l" : undefined
    const spawnOptions = { env, cwd: options.cwd, stdio: /** @type {const} */ (["ignore", "ignore", "pipe"]) }
    const child = timeFlag !== undefined
      ? spawn("/usr/bin/time", [timeFlag, process.execPath, ...args], spawnOptions)
      : spawn(process.execPath, [...args], spawnOptions)
    let stderr = ""
    let hwmKb = 0
    const poll = rssProbe !== "proc"
      ? undefined
      : setInterval(() => {
        try {
          const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"))
          if (match) hwmKb = Math.max(hwmKb, Number(match[1]))
        } catch {
          // exited
        }
      }, 5)
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) => {
      const wallMs = performance.now() - started
      if (poll) clearInterval(poll)
      if (code !== (options.expectCode ?? 0)) return reject(new Error(`node ${args.join(" ")} exited with ${code}: ${stderr.slice(-2000)}`))
      const gnu = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)
      const bsd = /(\d+)\s+maximum resident set size/.exec(stderr)
      const rssMb = gnu ? Number(gnu[1]) / 1024 : bsd ? Number(bsd[1]) / 2 ** 20 : rssProbe === "proc" ? hwmKb / 1024 : NaN
      resolve({ wallMs, rssMb })
    })
  })

/** The median of a non-empty list. */
export const median = (/** @type {ReadonlyArray<number>} */ values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? /** @type {number} */ (sorted[mid]) : (/** @type {number} */ (sorted[mid - 1]) + /** @type {number} */ (sorted[mid])) / 2
}
