import { type Extension, type San } from '@signet/contracts';
import { OID, decodeBasicConstraints, decodeExtKeyUsage, decodeKeyUsage, decodeSubjectAltName } from '@signet/x509';
import { KEYS, policyFrom, ruleContext, shippedPolicy, type RequestOptions, ANYONE, withNamesFromRequest } from '../testing/fixtures';
import {
  disableStalePolicyExtensions,
  keyUsagesFor,
  setBasicConstraints,
  setExtKeyUsage,
  setKeyUsage,
  setSubjectAltName,
} from './extensions';
import { setSubject } from './subject';
import { type CertificateDraft } from './types';

// ClientAuth ships building its names from the identity; these rules judge a requested subject and SANs.
const shipped = withNamesFromRequest(shippedPolicy(), 'ClientAuth');
const der = (draft: CertificateDraft, oid: string) => Buffer.from(draft.extensions.get(oid)!.value!, 'base64');

function run(template: string, o: RequestOptions, ...modifiers: ((c: ReturnType<typeof ruleContext>, d: CertificateDraft) => void)[]): CertificateDraft {
  const ctx = ruleContext(shipped, template, o);
  const draft: CertificateDraft = { extensions: new Map() };
  for (const m of modifiers) m(ctx, draft);
  return draft;
}

describe('keyUsage modifier', () => {
  it.each([
    ['ok/WebServer RSA gets keyEncipherment', 'WebServer', KEYS.rsa2048, ['digitalSignature', 'keyEncipherment']],
    ['ok/WebServer EC does not', 'WebServer', KEYS.p256, ['digitalSignature']],
    ['ok/CodeSigning', 'CodeSigning', KEYS.rsa3072, ['digitalSignature']],
  ])('%s', (_n, template, key, usages) => {
    expect(keyUsagesFor(ruleContext(shipped, template, { key }))).toEqual(usages);
    const draft = run(template, { key }, setKeyUsage);
    expect(draft.extensions.get(OID.keyUsage)).toMatchObject({ critical: true, disabled: false });
    expect(decodeKeyUsage(der(draft, OID.keyUsage))).toEqual(usages);
  });

  it('ok/no usage left for the key → no extension rather than a wrong one', () => {
    const p = policyFrom({
      templates: {
        T: {
          ...ANYONE,
          keys: [{ algorithm: 'rsa', minBits: 2048 }, { algorithm: 'ec', curves: ['P-256'] }],
          subject: { mode: 'request', allowed: ['CN'] },
          validityDays: 1,
          keyUsage: [{ usage: 'keyEncipherment', keys: ['rsa'] }],
        },
      },
    });
    const draft: CertificateDraft = { extensions: new Map() };
    setKeyUsage(ruleContext(p, 'T', { key: KEYS.p256 }), draft);
    expect(draft.extensions.size).toBe(0);
  });
});

describe('extKeyUsage and basicConstraints modifiers', () => {
  it.each([
    ['ok/WebServer serverAuth', 'WebServer', [OID.serverAuth]],
    ['ok/ClientAuth clientAuth', 'ClientAuth', [OID.clientAuth]],
    ['ok/CodeSigning codeSigning', 'CodeSigning', [OID.codeSigning]],
  ])('%s', (_n, template, oids) => {
    const draft = run(template, {}, setExtKeyUsage, setBasicConstraints);
    expect(draft.extensions.get(OID.extKeyUsage)?.critical).toBe(false);
    expect(decodeExtKeyUsage(der(draft, OID.extKeyUsage))).toEqual(oids);
    expect(draft.extensions.get(OID.basicConstraints)?.critical).toBe(true);
    expect(decodeBasicConstraints(der(draft, OID.basicConstraints))).toEqual({ ca: false });
  });
});

describe('subjectAltName modifier', () => {
  it('ok/rebuilt from the validated names, in certificate form', () => {
    const sans: San[] = [
      { type: 'dns', value: 'WWW.example.com' },
      { type: 'ip', value: '2001:db8:0:0::7' },
      { type: 'dns', value: 'www.example.com' },
    ];
    const draft = run('WebServer', { sans }, setSubject, setSubjectAltName);
    expect(draft.extensions.get(OID.subjectAltName)?.critical).toBe(false);
    expect(decodeSubjectAltName(der(draft, OID.subjectAltName))).toEqual([
      { type: 'dns', value: 'www.example.com' },
      { type: 'ip', value: '2001:db8::7' },
    ]);
  });

  it('ok/email and UPN for ClientAuth', () => {
    const sans: San[] = [{ type: 'email', value: 'alice@Example.com' }, { type: 'upn', value: 'alice@example.net' }];
    const draft = run('ClientAuth', { sans, subject: [{ type: 'CN', value: 'Alice' }] }, setSubject, setSubjectAltName);
    expect(decodeSubjectAltName(der(draft, OID.subjectAltName))).toEqual([
      { type: 'email', value: 'alice@example.com' },
      { type: 'upn', value: 'alice@example.net' },
    ]);
  });

  it('ok/critical when the subject is empty (RFC 5280 4.2.1.6)', () => {
    const draft = run('WebServer', { sans: [{ type: 'dns', value: `${'a'.repeat(60)}.example.com` }] }, setSubject, setSubjectAltName);
    expect(draft.subject).toEqual([]);
    expect(draft.extensions.get(OID.subjectAltName)?.critical).toBe(true);
  });

  it('ok/no names → no extension', () => {
    expect(run('ClientAuth', { sans: [] }, setSubject, setSubjectAltName).extensions.size).toBe(0);
  });
});

describe('stale policy extensions', () => {
  const ext = (oid: string, origin: Extension['origin'], disabled = false): Extension => ({ oid, critical: false, value: 'MAA=', origin, disabled });

  it('disables what an earlier pass set and this one does not; leaves admin and request ones', () => {
    const certificate = {
      extensions: [ext(OID.basicConstraints, 'policy'), ext('1.2.3.4', 'admin'), ext('1.2.3.5', 'request'), ext(OID.keyUsage, 'policy'), ext('1.2.3.6', 'policy', true)],
    };
    const draft = run('CodeSigning', { certificate, key: KEYS.rsa3072 }, setKeyUsage, disableStalePolicyExtensions);
    expect([...draft.extensions.values()].map((e) => `${e.oid} ${e.disabled}`)).toEqual([`${OID.keyUsage} false`, `${OID.basicConstraints} true`]);
  });
});
