// The free names of the guides' code blocks (`docs/*.md`, checked by `guides.test.ts`): a block
// that continues an earlier one uses the parties the earlier block built, as if the application
// around it had defined them. Every other name a block uses it must import or declare itself, so a
// reader can copy it. Keep each declaration to the type the guides mean, so a wrong call still fails.
import type { AuthorizationServer, PartyA, PartyB } from '../../src/index.js'

/** Party A (the assistant), built as in docs/party-a.md. */
export declare const partyA: PartyA
/** Party A's authorization server, where B redeems the reciprocal code. */
export declare const assistantAs: AuthorizationServer
/** Party B (the music service), built as in docs/party-b.md. */
export declare const partyB: PartyB
/** Party B's authorization server for the initial flow. */
export declare const musicAs: AuthorizationServer
/** The signed-in user of the request at hand (your session layer). */
export declare const session: { readonly userId: string }
/** A link id party A returned from `startLink`. */
export declare const linkId: string
