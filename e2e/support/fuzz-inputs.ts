import {
  baselineNames,
  CONTROL_CHARACTERS,
  controlCharacterCsr,
  mutateCsr,
  mutateCsrText,
  rawCsr,
  toCsrPem,
  type FuzzKeys,
  type Prng,
} from '@signet/testing';

/*
 * Inputs for the fuzz run over the whole stack (e2e/bad-input.spec.ts):
 * HTTP submits to the intermediary and raw submit messages on ca-core's
 * subject, made from a seeded Prng. Each says what it is (`kind`, for a
 * failure message) and, when the outcome is known in advance, what it must
 * be.
 */

export interface HttpCase {
  via: 'http';
  kind: string;
  contentType?: string;
  query?: string;
  headers?: Record<string, string>;
  body: Buffer;
  /** The request must be refused with 400 MALFORMED_REQUEST naming this field. */
  refusedField?: string;
}

export interface BusCase {
  via: 'bus';
  kind: string;
  payload: Buffer;
  refusedField?: string;
}

export type FuzzCase = HttpCase | BusCase;

/** A CSR as a client would send it (PEM), good or broken; `refusedField` when a name holds a control character. */
function csrText(prng: Prng, keys: FuzzKeys): { text: string; kind: string; refusedField?: string } {
  switch (prng.int(5)) {
    case 0: {
      const c = controlCharacterCsr(prng, keys);
      return { text: toCsrPem(c.der), kind: c.kind, refusedField: c.refusedField };
    }
    case 1:
    case 2: {
      const c = mutateCsr(prng, keys);
      return { text: prng.chance(0.8) ? toCsrPem(c.der) : c.der.toString('base64'), kind: c.kind };
    }
    case 3: {
      const { subject, sans } = baselineNames(prng);
      const t = mutateCsrText(prng, rawCsr(keys.ed25519, subject, sans));
      return { text: t.text, kind: t.kind };
    }
    default: {
      // A request the WebServer template issues: the whole path to a signed certificate.
      const { subject, sans } = baselineNames(prng);
      return { text: toCsrPem(rawCsr(keys.p256, subject, sans)), kind: 'a good request' };
    }
  }
}

/** A string with a control character, a lone surrogate or something odd put into `s`. */
function spoil(prng: Prng, s: string): string {
  const at = prng.int(s.length + 1);
  const bad = prng.pick([...CONTROL_CHARACTERS, '\ud800', '\udfff', '\u2028', '\ufeff', '\u202e', '\\u0000', '%00', '${jndi:x}', "'; DROP TABLE request; --"]);
  return s.slice(0, at) + bad + s.slice(at);
}

/** A JSON value of the wrong kind, sometimes big or deep. */
function wrongValue(prng: Prng): unknown {
  switch (prng.int(9)) {
    case 0:
      return null;
    case 1:
      return prng.pick([0, -1, 1e308, 3.5, Number.MAX_SAFE_INTEGER + 2]);
    case 2:
      return prng.chance(0.5);
    case 3:
      return [];
    case 4:
      return { nested: { deeper: 'x' } };
    case 5:
      return 'x'.repeat(prng.pick([0, 1, 200, 257, 16_385, 65_537, 300_000]));
    case 6:
      return deep(prng.between(10, 3_000));
    case 7:
      return Array.from({ length: prng.between(1, 2_000) }, (_, i) => i);
    default:
      return spoil(prng, 'text');
  }
}

function deep(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

function attributes(prng: Prng): unknown {
  switch (prng.int(7)) {
    case 0:
      return { CertificateTemplate: 'WebServer' };
    case 1:
      return { CertificateTemplate: spoil(prng, 'WebServer') };
    case 2:
      return { [spoil(prng, 'CertificateTemplate')]: 'WebServer' };
    case 3:
      return spoil(prng, 'CertificateTemplate:WebServer\ncontact:a@example.com');
    case 4:
      return `CertificateTemplate:WebServer\r\n${prng.pick(['a', 'b:c', ':', 'x'.repeat(5_000) + ':y', 'n:v\r'])}`;
    case 5:
      return Object.fromEntries(Array.from({ length: prng.between(1, 100) }, (_, i) => [`a${i}`, prng.chance(0.9) ? 'v' : spoil(prng, 'v')]));
    default:
      return wrongValue(prng);
  }
}

/** Every character percent-encoded as UTF-8; a lone surrogate as the bytes it would be (ED A0 80), which are not UTF-8. */
function percentEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const bytes = cp >= 0xd800 && cp <= 0xdfff ? Buffer.from([0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]) : Buffer.from(ch, 'utf8');
    for (const b of bytes) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const KEYS = ['csr', 'attributes', 'ca', 'idempotencyKey'] as const;

function jsonBody(prng: Prng, keys: FuzzKeys, ca: string): HttpCase {
  const csr = csrText(prng, keys);
  const body: Record<string, unknown> = { csr: csr.text, attributes: { CertificateTemplate: 'WebServer' } };
  let kind = `JSON, csr: ${csr.kind}`;
  let refusedField = csr.refusedField;
  if (prng.chance(0.3)) {
    const spoilt = prng.chance(0.3);
    body.ca = spoilt ? spoil(prng, ca) : ca;
    if (spoilt) {
      kind += ', ca changed';
      refusedField = undefined;
    }
  }
  // Zero, one or two more things wrong with the body; only a body with nothing else wrong keeps its known outcome.
  for (let n = prng.pick([0, 0, 1, 1, 2]); n > 0; n--) {
    refusedField = undefined;
    const field = prng.pick([...KEYS, 'extra'] as const);
    switch (field) {
      case 'attributes':
        body.attributes = attributes(prng);
        break;
      case 'idempotencyKey':
        body.idempotencyKey = prng.chance(0.5) ? `fuzz-${prng.u32().toString(36)}` : prng.chance(0.5) ? spoil(prng, 'key-1') : wrongValue(prng);
        break;
      case 'extra':
        // defineProperty: a plain assignment to __proto__ would set the prototype, not send the key.
        Object.defineProperty(body, prng.pick(['requester', '__proto__', 'constructor', spoil(prng, 'x'), 'x'.repeat(100_000)]), { value: wrongValue(prng), enumerable: true, configurable: true, writable: true });
        break;
      default:
        body[field] = wrongValue(prng);
    }
    kind += `, ${field} changed`;
  }
  let text = JSON.stringify(body);
  let contentType = 'application/json';
  switch (prng.int(12)) {
    case 0:
      text = text.slice(0, prng.int(text.length));
      kind += ', JSON cut short';
      refusedField = undefined;
      break;
    case 1:
      contentType = prng.pick(['text/plain', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', '', 'application/json; charset=latin1']);
      kind += `, content-type "${contentType}"`;
      refusedField = undefined;
      break;
    default:
  }
  const raw = Buffer.from(text, 'utf8');
  if (prng.chance(0.04)) {
    raw[prng.int(raw.length)] = prng.pick([0xff, 0xc0, 0x80, 0x00]);
    kind += ', a byte that is not UTF-8';
    refusedField = undefined;
  }
  const headers: Record<string, string> = {};
  if (prng.chance(0.1)) {
    // fetch refuses CR, LF and NUL in a header value; everything else it sends.
    headers['idempotency-key'] = prng.pick([`k-${prng.u32()}`, 'a b', 'with space', '\t', 'x'.repeat(300), 'é']);
    kind += ', Idempotency-Key header';
    refusedField = undefined;
  }
  return { via: 'http', kind, contentType, body: raw, headers, refusedField };
}

function pkcs10Body(prng: Prng, keys: FuzzKeys): HttpCase {
  const c = prng.chance(0.5) ? controlCharacterCsr(prng, keys) : mutateCsr(prng, keys);
  const body = prng.chance(0.5) ? c.der : Buffer.from(toCsrPem(c.der));
  const attrs = prng.pick(['CertificateTemplate:WebServer', spoil(prng, 'CertificateTemplate:WebServer'), '']);
  const query = attrs ? `attributes=${percentEncode(attrs)}` : '';
  // A spoiled ?attributes= is refused before anyone looks at the request.
  const refusedField = attrs === '' || attrs === 'CertificateTemplate:WebServer' ? c.refusedField : undefined;
  return { via: 'http', kind: `pkcs10, ${c.kind}, attributes ${JSON.stringify(attrs)}`, contentType: 'application/pkcs10', query, body, refusedField };
}

function busMessage(prng: Prng, keys: FuzzKeys): BusCase {
  if (prng.chance(0.08)) {
    const junk = prng.pick([prng.bytes(prng.between(0, 300)), Buffer.from('{"request":'), Buffer.from('[]'), Buffer.from('null'), Buffer.from('{"request":"\\ud800"}')]);
    return { via: 'bus', kind: 'not a submit message', payload: junk };
  }
  const csr = csrText(prng, keys);
  const msg: Record<string, unknown> = { request: csr.text, attributes: 'CertificateTemplate:WebServer' };
  let kind = `bus, request: ${csr.kind}`;
  let refusedField = csr.refusedField;
  for (let n = prng.pick([0, 1, 1, 2]); n > 0; n--) {
    refusedField = undefined;
    const field = prng.pick(['requester', 'identityAssertion', 'attributes', 'idempotencyKey', 'format', 'request', 'extra'] as const);
    switch (field) {
      case 'requester':
        // A field submitters may no longer write (ADR 0026): refused whatever it holds.
        msg.requester = prng.chance(0.7) ? spoil(prng, 'alice') : wrongValue(prng);
        break;
      case 'identityAssertion':
        // Made up by a sender without a front-door key: refused, never believed.
        msg.identityAssertion = prng.chance(0.5) ? spoil(prng, 'eyJhbGciOiJFZERTQSJ9.eyJwdXJwb3NlIjoic3VibWl0In0.c2ln') : prng.chance(0.5) ? 'eyJhbGciOiJub25lIn0.e30.AA' : wrongValue(prng);
        break;
      case 'attributes':
        msg.attributes = prng.chance(0.6) ? spoil(prng, 'CertificateTemplate:WebServer') : attributes(prng);
        break;
      case 'idempotencyKey':
        msg.idempotencyKey = prng.chance(0.5) ? spoil(prng, 'key') : prng.chance(0.5) ? `bus-${prng.u32().toString(36)}` : wrongValue(prng);
        break;
      case 'format':
        msg.format = prng.pick(['cmc', 'PKCS10', spoil(prng, 'pkcs10'), 7]);
        break;
      case 'request':
        msg.request = wrongValue(prng);
        break;
      default:
        Object.defineProperty(msg, prng.pick([spoil(prng, 'x'), 'x'.repeat(prng.pick([10, 100_000])), '__proto__']), { value: wrongValue(prng), enumerable: true, configurable: true, writable: true });
    }
    kind += `, ${field} changed`;
  }
  return { via: 'bus', kind, payload: Buffer.from(JSON.stringify(msg)), refusedField };
}

/** One case: mostly HTTP JSON, some raw PKCS#10, some bus messages. */
export function fuzzCase(prng: Prng, keys: FuzzKeys, ca: string): FuzzCase {
  const r = prng.int(10);
  if (r < 5) return jsonBody(prng, keys, ca);
  if (r < 6) return pkcs10Body(prng, keys);
  return busMessage(prng, keys);
}
