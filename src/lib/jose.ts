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

/** Keeps a load that succeeds; forgets one that fails, so a later call tries again. */
function kept<T>(load: Promise<T>, forget: () => void): Promise<T> {
  return load.catch((error: unknown) => {
    forget()
    throw error
  })
}

/** `jwtVerify`. */
export const loadJwtVerify = () => (verify ??= kept(import('jose/jwt/verify'), () => (verify = undefined)))
/** `SignJWT`. */
export const loadSignJwt = () => (sign ??= kept(import('jose/jwt/sign'), () => (sign = undefined)))
/** `decodeJwt`. */
export const loadDecodeJwt = () => (decode ??= kept(import('jose/jwt/decode'), () => (decode = undefined)))
/** `createLocalJWKSet`. */
export const loadLocalJwks = () => (localJwks ??= kept(import('jose/jwks/local'), () => (localJwks = undefined)))
