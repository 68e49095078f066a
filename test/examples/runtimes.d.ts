// The little of Deno's and Bun's globals that examples/deno and examples/bun use, so that the
// test project type-checks them without either runtime's types installed.
declare namespace Deno {
  const env: { get(name: string): string | undefined }
  function serve(
    options: { readonly hostname: string; readonly port: number; readonly onListen?: () => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { readonly finished: Promise<void> }
}

declare const Bun: {
  readonly env: Readonly<Record<string, string | undefined>>
  serve(options: { readonly hostname: string; readonly port: number; fetch(request: Request): Response | Promise<Response> }): { readonly port: number }
}
