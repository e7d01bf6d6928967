import { ErrorCode, LIMITS, SignetError } from '@signet/contracts';

/**
 * PEM as in RFC 7468: `-----BEGIN label-----`, base64 in lines of 64
 * characters, `-----END label-----`. Parsing is "lax" in the RFC 7468 sense
 * (any whitespace inside the base64) but strict about labels and base64.
 */

const LABEL = /^[\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*$/;
const BLOCK = /-----BEGIN ([^\r\n-]*(?:-[^\r\n-]+)*)-----([\s\S]*?)-----END \1-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function bad(message: string): SignetError {
  return new SignetError(ErrorCode.MalformedRequest, message);
}

/** Strict base64 (after whitespace removal): the length and padding must be exact. */
function decodeBase64(text: string, what: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw bad(`${what}: invalid base64`);
  }
  const der = Buffer.from(compact, 'base64');
  // Buffer.from ignores non-canonical trailing bits; re-encoding catches them.
  if (der.toString('base64') !== compact) throw bad(`${what}: non-canonical base64`);
  return der;
}

export function toPem(der: Buffer, label: string): string {
  if (!LABEL.test(label)) throw new Error(`invalid PEM label "${label}"`);
  const b64 = der.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Every block with `label`, in order (a chain file holds several). */
export function pemBlocks(text: string, label: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of text.matchAll(BLOCK)) {
    if (m[1] === label) out.push(decodeBase64(m[2], `PEM ${label}`));
  }
  return out;
}

/**
 * The first PEM block (with `label` when given). Throws MalformedRequest
 * when there is none: PEM usually arrives from outside.
 */
export function fromPem(text: string, label?: string): Buffer {
  for (const m of text.matchAll(BLOCK)) {
    if (label === undefined || m[1] === label) return decodeBase64(m[2], `PEM ${m[1]}`);
  }
  throw bad(label ? `no PEM block labelled "${label}"` : 'no PEM block found');
}

const CSR_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'];

/**
 * DER of a PKCS#10 request as submitted: PEM with the label OpenSSL writes
 * ('CERTIFICATE REQUEST') or the one Windows certreq writes ('NEW CERTIFICATE
 * REQUEST'), or bare base64 of the DER as AD CS clients send it. Only the
 * transport is checked here; parseCsr checks the content.
 */
export function decodeRequestText(text: string): Buffer {
  return decodeOneBlock(text, { labels: CSR_LABELS, what: 'certificate request', code: ErrorCode.MalformedRequest, maxChars: LIMITS.requestChars });
}

/**
 * DER of one certificate given to the CA (ImportCertificate): one PEM block
 * labelled CERTIFICATE, or bare base64 of the DER as `certutil -encode`
 * leaves it without its armour. Errors carry MALFORMED_CERTIFICATE.
 */
export function decodeCertificateText(text: string): Buffer {
  return decodeOneBlock(text, { labels: ['CERTIFICATE'], what: 'certificate', code: ErrorCode.MalformedCertificate, maxChars: LIMITS.certificateChars });
}

function decodeOneBlock(text: string, o: { labels: string[]; what: string; code: ErrorCode; maxChars: number }): Buffer {
  const fail = (message: string) => new SignetError(o.code, message);
  if (typeof text !== 'string' || text.length === 0) throw fail(`${o.what} is empty`);
  if (text.length > o.maxChars) throw new SignetError(ErrorCode.TooLarge, `${o.what} exceeds ${o.maxChars} characters`);
  try {
    if (text.includes('-----BEGIN')) {
      const blocks = [...text.matchAll(BLOCK)];
      if (blocks.length !== 1) throw fail(`expected exactly one PEM block, found ${blocks.length}`);
      const [, label, body] = blocks[0];
      if (!o.labels.includes(label)) throw fail(`PEM label "${label}" is not a ${o.what}`);
      return decodeBase64(body, o.what);
    }
    return decodeBase64(text, o.what);
  } catch (e) {
    // decodeBase64 speaks of malformed requests; keep the caller's code.
    if (e instanceof SignetError && e.code !== o.code) throw fail(e.message);
    throw e;
  }
}
