/**
 * Misuse by the caller — an option, an argument or a return value of a hook that can never
 * work — throws a `TypeError` with a `code`, as Node.js and oauth4webapi do, so that a caller
 * can tell a programming error from a protocol failure ({@link ReciprocalError}) without
 * reading messages. Messages name the option; they never carry a secret, token or code.
 *
 * @module
 */

/**
 * The `code` of every `TypeError` the SDK throws for misuse. `InvalidValue`: the argument has
 * the right type but a value that cannot work (a relative URL, an empty scope, a lifetime over
 * the limit). `InvalidType`: the argument is not of the type the API takes.
 *
 * @example
 * ```ts
 * try {
 *   new MemoryStorage({ maxEntries: 0 })
 * } catch (err) {
 *   if (err instanceof TypeError && 'code' in err && err.code === MisuseCode.InvalidValue) console.error(err.message)
 * }
 * ```
 * @see docs/errors.md
 * @group Errors
 */
export const MisuseCode = {
  /** The argument's value cannot work; fix the configuration or the call. */
  InvalidValue: 'ERR_INVALID_ARG_VALUE',
  /** The argument is not of the type the API takes; fix the call. */
  InvalidType: 'ERR_INVALID_ARG_TYPE',
} as const

/** @group Errors */
export type MisuseCode = (typeof MisuseCode)[keyof typeof MisuseCode]

/** A `TypeError` carrying a {@link MisuseCode}. @group Errors */
export type MisuseError = TypeError & { readonly code: MisuseCode }

function misuse(message: string, code: MisuseCode, cause: unknown): MisuseError {
  const error = new TypeError(message, cause === undefined ? undefined : { cause })
  return Object.assign(error, { code })
}

/** The error for an argument whose value cannot work. @internal */
export function invalidValue(message: string, cause?: unknown): MisuseError {
  return misuse(message, MisuseCode.InvalidValue, cause)
}

/** The error for an argument of the wrong type. @internal */
export function invalidType(message: string, cause?: unknown): MisuseError {
  return misuse(message, MisuseCode.InvalidType, cause)
}
