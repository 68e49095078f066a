/**
 * `reciprocal-oauth/redis`: `Storage` in Redis (≥ 6.2, Redis Cluster included), through
 * node-redis (`redis`) or `ioredis`. Neither client is a dependency: pass your own.
 *
 * @module reciprocal-oauth/redis
 */
export { fromIoredis, fromNodeRedis, type IoredisClient, type NodeRedisClient, type NodeRedisSetOptions, type RedisCommands, type RedisSetOptions } from './storage/redis/commands.js'
export { RedisStorage, type RedisStorageOptions } from './storage/redis/storage.js'
