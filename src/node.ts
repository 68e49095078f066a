/**
 * `reciprocal-oauth/node`: mounts any handler of the SDK on Node's `http` server, and sends its
 * calls to peers with Node's own HTTP clients (`nodeFetch`).
 *
 * @module reciprocal-oauth/node
 */
export * from './adapters/node.js'
export { nodeFetch } from './adapters/node-fetch.js'
