/**
 * `reciprocal-oauth/node`: mounts any handler of the SDK on Node's `http` server.
 *
 * @module reciprocal-oauth/node
 */
export * from './adapters/node.js'
