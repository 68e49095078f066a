/**
 * `reciprocal-oauth/node`: mounts any handler of the SDK on Node's `http` server, and sends its
 * calls to peers with Node's own HTTP clients (`nodeFetch`).
 *
 * @module reciprocal-oauth/node
 */
export {
  DEFAULT_NODE_METHODS,
  toNodeListener,
  toNodeRawListener,
  type LowerDoorHandler,
  type NodeIncomingMessage,
  type NodeListener,
  type NodeListenerOptions,
  type NodeServerResponse,
} from './adapters/node.js'
export { nodeFetch } from './adapters/node-fetch.js'
