/**
 * `reciprocal-oauth/node`: mounts any handler of the SDK on Node's `http` server.
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
