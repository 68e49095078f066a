// The free names of the code blocks in docs/integrations/*.md, for `integrations.test.ts`: a
// block may use these as the application around it (examples/shared/parties.ts) defines them,
// and the Deno and Bun globals the runtime pages use.
/// <reference path="../examples/runtimes.d.ts" />
import type { Assistant, Music } from '../../examples/shared/parties.js'

/** A party's authorization server (A's for the reverse grant, B's for the initial flow). */
export declare const authorizationServer: Assistant['authorizationServer']
export declare const partyA: Assistant['partyA']
export declare const partyB: Music['partyB']
