/**
 * jose's modules, each imported on first use and then kept. Only `private_key_jwt` client
 * authentication and JWT access tokens need jose, and importing it costs a process more CPU than
 * the rest of the package (docs/benchmarks.md, "Footprint"): an application that uses neither
 * never loads it, and a bundler can put it in a chunk of its own.
 *
 * @module
 */
let verify: Promise<typeof import('jose/jwt/verify')> | undefined
let sign: Promise<typeof import('jose/jwt/sign')> | undefined
let decode: Promise<typeof import('jose/jwt/decode')> | undefined
let localJwks: Promise<typeof import('jose/jwks/local')> | undefined

/** `jwtVerify`. */
export const loadJwtVerify = () => (verify ??= import('jose/jwt/verify'))
/** `SignJWT`. */
export const loadSignJwt = () => (sign ??= import('jose/jwt/sign'))
/** `decodeJwt`. */
export const loadDecodeJwt = () => (decode ??= import('jose/jwt/decode'))
/** `createLocalJWKSet`. */
export const loadLocalJwks = () => (localJwks ??= import('jose/jwks/local'))
