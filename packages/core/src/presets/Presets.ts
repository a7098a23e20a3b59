/**
 * The bundled presets by name (the CLI's `--preset`).
 *
 * @since 0.1.0
 */
import type { BackfillApp } from "../app/BackfillApp.js"
import { claudeMem } from "./ClaudeMem.js"
import { jobRunner } from "./JobRunner.js"

export {
  /** The claude-mem app (the reference case). */
  claudeMem,
  /** The job-runner example app. */
  jobRunner
}

/**
 * Every bundled preset, by name.
 *
 * @since 0.1.0
 * @category presets
 */
export const presets: Readonly<Record<string, BackfillApp>> = {
  [claudeMem.name]: claudeMem,
  [jobRunner.name]: jobRunner
}

/**
 * The preset with this name, or `undefined`.
 *
 * @since 0.1.0
 * @category presets
 */
export const findPreset = (name: string): BackfillApp | undefined =>
  Object.hasOwn(presets, name) ? presets[name] : undefined
