/**
 * Answers from a peer already read whole into memory, within the size the SDK reads from a peer:
 * `nodeFetch` makes them. The peer transport hands them on as they are, instead of reading and
 * copying each into a second `Response` (a body stream, a reader, a copy: about a fifth of a
 * call's client-side cost).
 *
 * @module
 */

/** @internal */
export const wholeAnswers = /* @__PURE__ */ new WeakSet<Response>()
