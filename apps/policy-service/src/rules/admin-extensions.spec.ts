import { PolicyVerifyReplySchema, type Extension } from '@signet/contracts';
import {
  OID,
  decodeBasicConstraints,
  decodeExtKeyUsage,
  decodeKeyUsage,
  encodeBasicConstraints,
  encodeExtKeyUsage,
  encodeKeyUsage,
  encodeSubjectAltName,
  type KeyUsageName,
} from '@signet/x509';
import { evaluate } from '../engine/engine';
import { KEYS, policyFrom, shippedPolicy, verifyRequest, type RequestOptions } from '../testing/fixtures';

// ADR 0023: rule `extension.admin`, run by the engine on a resubmit with the shipped policy file.
const shipped = shippedPolicy();

const admin = (oid: string, value: Buffer, more: Partial<Extension> = {}): Extension => ({ oid, critical: false, value: value.toString('base64'), origin: 'admin', disabled: false, ...more });
const ku = (u: KeyUsageName[]) => admin(OID.keyUsage, encodeKeyUsage(u), { critical: true });
const eku = (p: string[]) => admin(OID.extKeyUsage, encodeExtKeyUsage(p));
const bc = (ca: boolean, pathLength?: number) => admin(OID.basicConstraints, encodeBasicConstraints({ ca, pathLength }), { critical: true });
const off = (e: Extension): Extension => ({ ...e, disabled: true });
const PRIVATE = '1.3.6.1.4.1.55555.1.1';

/** A CodeSigning request (EC P-256: digitalSignature, codeSigning, cA FALSE) resubmitted with `extensions` set by an officer. */
const codeSigning = (extensions: Extension[]): RequestOptions => ({
  newRequest: false,
  attributes: { certificatetemplate: 'CodeSigning' },
  subject: [{ type: 'CN', value: 'Release Signing' }, { type: 'O', value: 'Example Corp' }],
  sans: [],
  key: KEYS.p256,
  certificate: { extensions, template: 'CodeSigning' },
});
/** A WebServer request for two names, resubmitted with `extensions`. */
const webServer = (extensions: Extension[]): RequestOptions => ({
  newRequest: false,
  sans: [{ type: 'dns', value: 'www.example.com' }, { type: 'dns', value: 'api.example.com' }],
  key: KEYS.p256,
  certificate: { extensions },
});

function verify(o: RequestOptions, policy = shipped) {
  const reply = evaluate(verifyRequest(o), policy);
  expect(PolicyVerifyReplySchema.safeParse(reply).success).toBe(true);
  return reply;
}

describe('extension.admin: an administrator may narrow what the template sets, never widen it', () => {
  it('fail/ESC7: cA TRUE, keyCertSign and a disabled EKU on a code-signing request are denied, the first named, the others listed', () => {
    const r = verify(codeSigning([ku(['digitalSignature', 'keyCertSign', 'cRLSign']), bc(true), off(eku([OID.codeSigning]))]));
    expect(r).toEqual({
      verdict: 'deny',
      message:
        "the administrator's keyUsage extension adds keyCertSign, cRLSign; the template allows digitalSignature (template CodeSigning) (and 2 more: the administrator's basicConstraints extension sets cA TRUE, which only a CA template allows (template CodeSigning); the administrator's extKeyUsage extension disables extKeyUsage, which the template limits to codeSigning: the key would be good for any purpose (template CodeSigning))",
      decidedBy: { rule: 'extension.admin', field: 'extensions.keyUsage', value: 'adds keyCertSign, cRLSign; the template allows digitalSignature' },
      changes: {},
    });
  });

  it.each<[string, RequestOptions, { field: string; value: string }]>([
    ['fail/cA TRUE alone', codeSigning([bc(true)]), { field: 'extensions.basicConstraints', value: 'sets cA TRUE, which only a CA template allows' }],
    ['fail/a path length on a leaf', codeSigning([admin(OID.basicConstraints, Buffer.from('3003020100', 'hex'), { critical: true })]), { field: 'extensions.basicConstraints', value: 'sets a pathLenConstraint, which only a CA template allows' }],
    ['fail/keyEncipherment, which the template gives RSA keys only', codeSigning([ku(['digitalSignature', 'keyEncipherment'])]), { field: 'extensions.keyUsage', value: 'adds keyEncipherment; the template allows digitalSignature' }],
    ['fail/keyUsage disabled', codeSigning([off(ku(['digitalSignature']))]), { field: 'extensions.keyUsage', value: 'disables keyUsage, which the template limits to digitalSignature' }],
    ['fail/keyUsage made non-critical', codeSigning([{ ...ku(['digitalSignature']), critical: false }]), { field: 'extensions.keyUsage', value: 'makes keyUsage non-critical, which the template marks critical' }],
    ['fail/extKeyUsage disabled', codeSigning([off(eku([OID.codeSigning]))]), { field: 'extensions.extKeyUsage', value: 'disables extKeyUsage, which the template limits to codeSigning: the key would be good for any purpose' }],
    ['fail/anyExtendedKeyUsage', codeSigning([eku([OID.anyExtendedKeyUsage])]), { field: 'extensions.extKeyUsage', value: 'adds anyExtendedKeyUsage; the template allows codeSigning' }],
    ['fail/clientAuth added', codeSigning([eku([OID.codeSigning, OID.clientAuth])]), { field: 'extensions.extKeyUsage', value: 'adds clientAuth; the template allows codeSigning' }],
    ['fail/a name the template gives no certificate', codeSigning([admin(OID.subjectAltName, encodeSubjectAltName([{ type: 'dns', value: 'www.bank.com' }]))]), { field: 'extensions.subjectAltName', value: 'adds dns:www.bank.com; the template gives this certificate no subjectAltName' }],
    ['fail/a name the request did not ask for', webServer([admin(OID.subjectAltName, encodeSubjectAltName([{ type: 'dns', value: 'shop.example.com' }]))]), { field: 'extensions.subjectAltName', value: 'adds dns:shop.example.com, which the template does not give this request' }],
    ['fail/an extension the template does not list', codeSigning([admin(PRIVATE, Buffer.from('0500', 'hex'))]), { field: `extensions.${PRIVATE}`, value: PRIVATE }],
    ['fail/Microsoft application policies (ESC15: they act as EKU on Windows)', codeSigning([admin('1.3.6.1.4.1.311.21.10', Buffer.from('300c300a06082b06010505070302', 'hex'))]), { field: 'extensions.1.3.6.1.4.1.311.21.10', value: '1.3.6.1.4.1.311.21.10' }],
    ['fail/an undecodable value', codeSigning([admin(OID.keyUsage, Buffer.from('0500', 'hex'), { critical: true })]), { field: 'extensions.keyUsage', value: 'cannot be decoded' }],
  ])('%s', (_n, o, decidedBy) => {
    const r = verify(o);
    expect(r.verdict).toBe('deny');
    expect(r.decidedBy).toEqual({ rule: 'extension.admin', field: decidedBy.field, value: expect.stringContaining(decidedBy.value) });
    expect(r.changes).toEqual({});
  });

  it.each<[string, RequestOptions]>([
    ['ok/the same keyUsage, extKeyUsage and basicConstraints the template sets', codeSigning([ku(['digitalSignature']), eku([OID.codeSigning]), bc(false)])],
    ['ok/basicConstraints disabled (no extension is cA FALSE)', codeSigning([off(bc(false))])],
    ['ok/extKeyUsage made critical', codeSigning([{ ...eku([OID.codeSigning]), critical: true }])],
    ['ok/one of two names removed', webServer([admin(OID.subjectAltName, encodeSubjectAltName([{ type: 'dns', value: 'api.example.com' }]))])],
    ['ok/a disabled extension the template does not list (it adds nothing)', codeSigning([off(admin(PRIVATE, Buffer.from('0500', 'hex')))])],
  ])('%s', (_n, o) => {
    expect(verify(o)).toMatchObject({ verdict: 'issue', decidedBy: { rule: 'disposition.approved' } });
  });

  it('ok/an extension the template lists in adminExtensions', () => {
    const p = structuredClone(shipped) as never as Record<string, any>;
    p.templates.CodeSigning.adminExtensions = [PRIVATE];
    expect(verify(codeSigning([admin(PRIVATE, Buffer.from('0500', 'hex'))]), policyFrom(p as never))).toMatchObject({ verdict: 'issue' });
  });

  it('the template\'s own extensions are still sent: the officer\'s narrower one takes their place at ca-core', () => {
    const r = verify(codeSigning([ku(['digitalSignature']), eku([OID.codeSigning])]));
    const sent = (oid: string) => Buffer.from(r.changes!.extensions!.find((e) => e.oid === oid)!.value!, 'base64');
    expect(decodeKeyUsage(sent(OID.keyUsage))).toEqual(['digitalSignature']);
    expect(decodeExtKeyUsage(sent(OID.extKeyUsage))).toEqual([OID.codeSigning]);
    expect(decodeBasicConstraints(sent(OID.basicConstraints))).toEqual({ ca: false });
    expect(r.caTemplate).toBeUndefined();
  });

  it('a new request carries no administrator\'s extension: nothing to judge', () => {
    expect(verify({ ...codeSigning([]), newRequest: true }).verdict).toBe('pend');
  });
});
