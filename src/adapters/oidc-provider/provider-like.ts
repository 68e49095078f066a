/**
 * The few members of node-oidc-provider's `Provider` (v9) that `addReciprocalGrant` uses,
 * declared here so that the package's types never need oidc-provider's: a `Provider` instance
 * fits these shapes as it is.
 *
 * @module
 */

/**
 * The part of oidc-provider's Koa context the helper reads and writes: the request's route,
 * authenticated client, parameters and entities (`ctx.oidc`), and the response.
 *
 * @example
 * ```ts
 * const route = (ctx: OidcProviderContext): string | undefined => ctx.oidc?.route
 * ```
 * @see docs/integrations/oidc-provider.md
 * @group oidc-provider
 */
export interface OidcProviderContext {
  readonly oidc?: {
    readonly route?: string
    readonly client?: { readonly clientId: string } | undefined
    readonly params?: Readonly<Record<string, unknown>> | undefined
    readonly entities?: { readonly Account?: { readonly accountId: string } | undefined }
  }
  status: number
  body: unknown
  set(field: Readonly<Record<string, string>>): void
}

/**
 * An access token in oidc-provider's store (`provider.AccessToken.find`).
 *
 * @example
 * ```ts
 * const live = (token: OidcProviderAccessToken): boolean => !token.isExpired && !token.isSenderConstrained()
 * ```
 * @see SPEC R3.3 (party B checks the access token that comes with the reciprocal code)
 * @group oidc-provider
 */
export interface OidcProviderAccessToken {
  readonly clientId?: string | undefined
  readonly accountId: string
  readonly grantId: string
  readonly scope?: string | undefined
  readonly exp?: number | undefined
  readonly isExpired: boolean
  isSenderConstrained(): boolean
}

/**
 * A grant in oidc-provider's store (`provider.Grant.find`): what a user allowed one client.
 *
 * @example
 * ```ts
 * const sameGrant = (grant: OidcProviderGrant, token: OidcProviderAccessToken): boolean =>
 *   grant.clientId === token.clientId && grant.accountId === token.accountId
 * ```
 * @see SPEC R5.2 (unlinking revokes the grant)
 * @group oidc-provider
 */
export interface OidcProviderGrant {
  readonly clientId?: string | undefined
  readonly accountId?: string | undefined
  readonly exp?: number | undefined
  readonly isExpired: boolean
  destroy(): Promise<void>
}

/**
 * What `addReciprocalGrant` needs of an oidc-provider `Provider` (v9): pass the instance itself.
 *
 * @example
 * ```ts
 * const target: OidcProviderLike = provider // a `new Provider(issuer, configuration)`
 * ```
 * @see docs/integrations/oidc-provider.md
 * @group oidc-provider
 */
export interface OidcProviderLike {
  readonly issuer: string
  registerGrantType(name: string, handler: (ctx: OidcProviderContext) => Promise<void>, params?: readonly string[]): void
  use(middleware: (ctx: OidcProviderContext, next: () => Promise<unknown>) => Promise<void>): unknown
  readonly AccessToken: { find(value: string): Promise<OidcProviderAccessToken | undefined>; revokeByGrantId(grantId: string): Promise<void> }
  /** Token models whose tokens of one grant are revoked at once (`revokeByGrantId`). */
  readonly RefreshToken: { revokeByGrantId(grantId: string): Promise<void> }
  readonly AuthorizationCode: { revokeByGrantId(grantId: string): Promise<void> }
  readonly Grant: { find(id: string): Promise<OidcProviderGrant | undefined> }
}
