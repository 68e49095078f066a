// Requests of pure noise to the form endpoints: nothing in them is valid but, at times, the client
// authentication; each must be refused (or, at the revocation endpoint, be a no-op).
import fc from 'fast-check'
import { printable } from './harness.js'
import { type FormCase, KNOWN_PARAMETERS, type Param, casing } from './form-cases.js'
import { BAD_CONTENT_TYPES, GOOD_CONTENT_TYPES, INVALID_UTF8, MALFORMED_BASIC, basicHeader, canary, headerName, headerValue, hostileString, otherMethod, percentEncode, postMethod, utf8 } from './hostile.js'

/**
 * Requests of pure noise: any method, any headers (sometimes a valid client authentication), any
 * content type, any body — random bytes, hostile forms, invalid UTF-8, more than the limit.
 */
export function chaosCases(validAuthorization: readonly string[], clientIds: readonly string[], limitBytes: number): fc.Arbitrary<FormCase> {
  const formBody = fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...KNOWN_PARAMETERS), hostileString), fc.oneof(hostileString, canary)), { maxLength: 8 })
    .map((pairs) => pairs.map(([n, v]) => `${percentEncode(n)}=${percentEncode(v)}`).join('&'))
  const body = fc.oneof(
    { weight: 4, arbitrary: formBody },
    { weight: 2, arbitrary: hostileString },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 4000 }).map((extra) => `grant_type=${'x'.repeat(limitBytes + extra)}`) },
    { weight: 1, arbitrary: formBody.map((form) => new Uint8Array([...utf8(form), ...(INVALID_UTF8[form.length % INVALID_UTF8.length] ?? [0xff])])) },
  )
  const authorization = fc.oneof(
    fc.constantFrom(...validAuthorization),
    fc.constantFrom(...MALFORMED_BASIC),
    hostileString,
    fc.tuple(fc.constantFrom(...clientIds), canary).map(([clientId, secret]) => basicHeader(clientId, secret)),
  )
  return fc
    .record({
      method: fc.oneof(postMethod, otherMethod),
      contentType: fc.option(fc.oneof(fc.constantFrom(...GOOD_CONTENT_TYPES), fc.constantFrom(...BAD_CONTENT_TYPES), headerValue)),
      authorization: fc.array(authorization, { maxLength: 2 }),
      noise: fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }),
      body,
      headerShape: fc.constantFrom<'headers' | 'record'>('headers', 'record'),
      nameCase: casing,
    })
    .map(({ method, contentType, authorization: values, noise, body: raw, headerShape, nameCase }): FormCase => {
      const headers: Param[] = [...noise.filter(([n]) => !/^(content-length|transfer-encoding|host)$/i.test(n))]
      for (const value of values) headers.push([nameCase('authorization'), value])
      if (contentType !== null) headers.push([nameCase('content-type'), contentType])
      const text = typeof raw === 'string' ? raw : ''
      const sent = [text, ...values].flatMap((value) => value.match(/cnry[A-Za-z0-9_-]{24}/g) ?? [])
      return printable({ template: 'chaos', method, headers, body: raw, headerShape, labels: new Map(), notes: ['chaos'], secrets: sent, chaos: true })
    })
}
