// Server-rendered HTML for both demo services: one layout, one small stylesheet, escaping.

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** A template tag that escapes every interpolated value unless it is already `Html`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? ''
  values.forEach((value, i) => {
    const rendered = Array.isArray(value)
      ? value.map((v) => (v instanceof Html ? v.value : escapeHtml(String(v)))).join('')
      : value instanceof Html
        ? value.value
        : value === undefined || value === null || value === false
          ? ''
          : escapeHtml(String(value))
    out += rendered + (strings[i + 1] ?? '')
  })
  return new Html(out)
}

export interface Brand {
  readonly name: string
  readonly icon: string
  readonly accent: string
}

/** A whole page. `wire` is the panel that says what just happened on the wire (draft steps A–G). */
export function page(brand: Brand, title: string, body: Html, wire?: Html): Response {
  const document = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${brand.name}</title>
<style>${new Html(stylesheet(brand.accent))}</style>
</head>
<body>
<header><span class="icon">${brand.icon}</span> ${brand.name}</header>
<main>
<h1>${title}</h1>
${body}
${wire ? html`<aside class="wire"><h2>On the wire</h2>${wire}</aside>` : ''}
</main>
</body>
</html>`
  return new Response(document.value, {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:",
    },
  })
}

function stylesheet(accent: string): string {
  return `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f7;color:#1d2330}
header{background:${accent};color:#fff;padding:14px 24px;font-weight:600;font-size:18px}
header .icon{margin-right:6px}
main{max-width:720px;margin:28px auto;padding:0 20px}
h1{font-size:24px;margin:0 0 16px}
h2{font-size:17px;margin:0 0 8px}
section,aside{background:#fff;border-radius:10px;padding:18px 20px;margin:0 0 16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
aside.wire{background:#1d2330;color:#d7dce5;font:13px/1.6 ui-monospace,Menlo,Consolas,monospace}
aside.wire h2{color:#fff;font:600 14px system-ui,sans-serif}
aside.wire ol{margin:0;padding-left:20px}
aside.wire b{color:#8ad0ff}
aside.wire code{background:#2c3445;color:#e6edf3}
button{font:inherit;border:0;border-radius:8px;padding:9px 18px;cursor:pointer;background:${accent};color:#fff;margin-right:8px}
button.secondary{background:#e4e7ec;color:#1d2330}
label{display:block;margin:8px 0}
input[type=text],input[type=password]{font:inherit;padding:8px 10px;border:1px solid #c9ced6;border-radius:8px;width:100%;max-width:320px}
.ok{color:#137333;font-weight:600}
.no{color:#b3261e;font-weight:600}
.muted{color:#667085}
code{background:#eef0f3;padding:1px 5px;border-radius:4px}
ul.scopes{padding-left:20px}
`
}
