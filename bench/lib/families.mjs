// The scenario families: one file each under throughput/, each served by its own child.
export const FAMILIES = ['ceiling', 'receiver', 'party-a', 'party-b', 'oidc-provider', 'flow']

/** `{ family: module }` of the families named (default: all). */
export async function loadFamilies(names = FAMILIES) {
  return Object.fromEntries(await Promise.all(names.map(async (family) => [family, await import(`../throughput/${family}.mjs`)])))
}
