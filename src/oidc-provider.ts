/**
 * `reciprocal-oauth/oidc-provider`: party B on [node-oidc-provider](https://github.com/panva/node-oidc-provider)
 * (v9), in one call. oidc-provider is not a dependency, and its types are not needed: pass your
 * `Provider`.
 *
 * @module reciprocal-oauth/oidc-provider
 */
export {
  addReciprocalGrant,
  type OidcProviderPartyB,
  type OidcProviderReciprocalOptions,
} from './adapters/oidc-provider/reciprocal-grant.js'
export type {
  OidcProviderAccessToken,
  OidcProviderContext,
  OidcProviderGrant,
  OidcProviderLike,
} from './adapters/oidc-provider/provider-like.js'
