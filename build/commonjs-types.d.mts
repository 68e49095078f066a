/** One `.d.cts` file's text with its imports of the ESM-only packages made type-only (`file` names it in errors). */
export declare function rewriteCommonJsTypes(text: string, file: string): string
/** Rewrites every `.d.cts` file of a directory in place. */
export declare function rewriteCommonJsTypesIn(dir: string): void
