/**
 * SQL identifiers as the compilers write and compare them. Internal: not
 * exported by the package.
 *
 * @since 0.1.0
 * @internal
 */

/**
 * Double-quotes an identifier the spec validation already accepted.
 *
 * @internal
 */
export const quote = (identifier: string): string => `"${identifier}"`

/**
 * Whether two table or column names name the same thing: SQLite compares
 * identifiers case-insensitively.
 *
 * @internal
 */
export const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase()
