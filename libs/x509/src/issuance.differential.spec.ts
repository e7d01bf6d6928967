import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import type { Name, San } from '@signet/contracts';
import { baselineNames, controlCharacterCsr, fuzzKeys, mutateCsr, Prng, rawCsr, ScratchDir, type RawRdn } from '@signet/testing';
import { OID } from './oids';
import {
  encodeAuthorityInfoAccess,
  encodeAuthorityKeyIdentifier,
  encodeBasicConstraints,
  encodeCrlDistributionPoints,
  encodeExtKeyUsage,
  encodeFreshestCrl,
  encodeKeyUsage,
  encodeSubjectAltName,
  encodeSubjectKeyIdentifier,
  subjectKeyIdentifier,
  type KeyUsageName,
} from './extensions';
import { decodeKeyUsage, decodeKeyUsageGeneral } from './extensions/key-usage';
import { decodeExtKeyUsage, decodeExtKeyUsageGeneral } from './extensions/ext-key-usage';
import { decodeBasicConstraints, decodeBasicConstraintsGeneral } from './extensions/basic-constraints';
import { decodeAuthorityKeyIdentifier, decodeAuthorityKeyIdentifierGeneral } from './extensions/key-identifier';
import { CA_KEY_ALGORITHMS, generateKeyPair, type CaKeyAlgorithm } from './keys';
import { createSigner, type Signer } from './signer';
import { createSelfSignedCa } from './self-signed';
import { issueCertificate, prepareCertificate, prepareIssuer, type CertificateSpec, type PreparedIssuer } from './certificate';
import { splitCertificate, verifyCertificateSignature } from './inspect';
import { encodeName } from './names';
import { encodeExtensions, type RawExtension } from './extension-list';
import { encodeSignatureAlgorithm } from './algorithms';
import { encodeOid, toDer } from './der';
import { parseCsr, parseCommon } from './csr';
import { createCsr } from './csr-create';
import { toPem } from './pem';
import { describeKeyObject, describePublicKey, publicKeyFromSpki } from './public-key';
import { referenceEncodeExtensions, referenceEncodeName, referenceEncodeSubjectAltName, referenceEncodeSignatureAlgorithm, referenceIssue, referencePrepare } from './testing/reference-certificate';
import { referenceParseCsr } from './testing/reference-csr';
import { run, waitForTool } from './test-tools';

/*
 * The prepared issuer and the direct DER writer (ADR 0038) against the path
 * they replace (src/testing/reference-*.ts: the CA certificate parsed per
 * call, every structure an asn1js tree): many random certificates under CA
 * keys of every supported algorithm, each built both ways, must have
 * byte-identical TBSCertificates (and, under RSA CA keys, whose PKCS#1 v1.5
 * signatures are deterministic, byte-identical certificates), or fail lint
 * both ways with the same problems. Requests parsed by the direct reader
 * must give what the general parser gives. Seeded: SIGNET_DIFF_SEED repeats
 * a run.
 */

const SEED = Number(process.env.SIGNET_DIFF_SEED ?? 0x38d1ff);
const scratch = new ScratchDir('signet-x509-diff-');
afterAll(() => scratch.remove());
beforeAll(() => waitForTool('certtool'));

const DAY = 86_400_000;
const CA_NOT_BEFORE = new Date('2000-01-01T00:00:00Z');
const CA_NOT_AFTER = new Date('2099-12-31T23:59:59Z');
// certtool verifies at the real time only.
const TODAY = new Date(Math.floor(Date.now() / DAY) * DAY - DAY);

interface LeafKey {
  kind: string;
  spki: Buffer;
}

function leafKeys(): LeafKey[] {
  const make = (kind: string, k: { publicKey: KeyObject }) => ({ kind, spki: k.publicKey.export({ type: 'spki', format: 'der' }) });
  return [
    make('P-256', generateKeyPairSync('ec', { namedCurve: 'P-256' })),
    make('P-384', generateKeyPairSync('ec', { namedCurve: 'P-384' })),
    make('RSA-2048', generateKeyPairSync('rsa', { modulusLength: 2048 })),
    make('Ed25519', generateKeyPairSync('ed25519')),
  ];
}

const TEXT = ['a', 'Z', '0', ' ', '-', '.', 'é', 'ß', 'Ω', 'ж', '中', '😀', "'", '(', '+', '=', '/', ':', '?', '\u00a0'];
function text(prng: Prng, min: number, max: number, alphabet = TEXT): string {
  let s = '';
  for (let i = prng.between(min, max); i > 0; i--) s += prng.pick(alphabet);
  // No leading/trailing space games: lint refuses some of those, which the lint tests cover; here both paths must agree either way.
  return s;
}

const ASCII = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
const PRINTABLE = [...ASCII, ' ', "'", '(', ')', '+', ',', '-', '.', '/', ':', '=', '?', 'A', 'Q'];

function randomName(prng: Prng): Name {
  const name: Name = [];
  for (let i = prng.between(0, 6); i > 0; i--) {
    const type = prng.pick(['C', 'O', 'OU', 'CN', 'L', 'ST', 'E', 'DC', 'serialNumber', 'title', 'STREET', 'GN', 'SN', 'UID'] as const);
    const value =
      type === 'C'
        ? prng.pick(['DE', 'US', 'fr', 'JP'])
        : type === 'serialNumber'
          ? text(prng, 1, 20, PRINTABLE)
          : type === 'E'
            ? `${text(prng, 1, 10, ASCII)}@${text(prng, 1, 10, ASCII)}.example`
            : type === 'DC'
              ? text(prng, 1, 20, ASCII)
              : text(prng, 1, prng.chance(0.1) ? 70 : 30);
    name.push({ type, value });
  }
  return name;
}

function randomSans(prng: Prng): San[] {
  const sans: San[] = [];
  for (let i = prng.between(0, 5); i > 0; i--) {
    switch (prng.int(6)) {
      case 0:
      case 1:
        sans.push({ type: 'dns', value: `${text(prng, 1, 12, ASCII)}.${prng.pick(['example.com', 'example.org', 'test'])}` });
        break;
      case 2:
        sans.push({ type: 'ip', value: prng.chance(0.5) ? `192.0.2.${prng.int(256)}` : `2001:db8::${prng.int(0xffff).toString(16)}` });
        break;
      case 3:
        sans.push({ type: 'email', value: `${text(prng, 1, 8, ASCII)}@example.com` });
        break;
      case 4:
        sans.push({ type: 'uri', value: `https://${text(prng, 1, 8, ASCII)}.example.com/${text(prng, 0, 8, ASCII)}` });
        break;
      default:
        sans.push({ type: 'upn', value: `${text(prng, 1, 8)}@corp.example` });
    }
  }
  return sans;
}

function randomSerial(prng: Prng): string {
  const n = prng.chance(0.8) ? 16 : prng.between(1, 21);
  const b = prng.bytes(n);
  // Mostly valid serials; now and then a zero, a leading 00 or a top bit that needs padding, which lint and encoder must treat alike.
  if (prng.chance(0.9)) b[0] = (b[0] & 0x7f) | 0x01;
  return b.toString('hex');
}

function randomDate(prng: Prng, fromYear: number, toYear: number): Date {
  const from = Date.UTC(fromYear, 0, 1);
  const to = Date.UTC(toYear, 11, 31);
  return new Date(from + Math.floor(prng.u32() / 0x1_0000_0000 * (to - from)) + prng.int(1000));
}

const KEY_USAGES: KeyUsageName[] = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign'];

/** Every extension kind the drafts carry, in a random order and mix, criticality mostly as the CA sets it. */
function randomExtensions(prng: Prng, spki: Buffer, caKeyId: Buffer, subject: Name, sans: San[], clean: boolean, keyKind: string): RawExtension[] {
  const exts: RawExtension[] = [];
  const add = (oid: string, critical: boolean, value: Buffer) => exts.push({ oid, critical, value });
  if (prng.chance(0.9)) add(OID.subjectKeyIdentifier, false, encodeSubjectKeyIdentifier(subjectKeyIdentifier(spki)));
  if (prng.chance(0.9)) add(OID.authorityKeyIdentifier, false, encodeAuthorityKeyIdentifier(clean || prng.chance(0.9) ? caKeyId : prng.bytes(20)));
  if (prng.chance(0.6)) add(OID.crlDistributionPoints, false, encodeCrlDistributionPoints([`http://crl.example.com/${text(prng, 1, 8, ASCII)}.crl`]));
  if (prng.chance(0.2)) add(OID.freshestCRL, false, encodeFreshestCrl(['http://crl.example.com/delta.crl']));
  if (prng.chance(0.5)) add(OID.authorityInfoAccess, false, encodeAuthorityInfoAccess({ ocsp: ['http://ocsp.example.com'], caIssuers: prng.chance(0.5) ? ['http://ca.example.com/ca.crt'] : [] }));
  if (prng.chance(0.8)) {
    // A clean draft asks only for what the key can do and no CA powers.
    const possible = clean ? (keyKind.startsWith('RSA') ? ['digitalSignature', 'keyEncipherment', 'dataEncipherment'] : ['digitalSignature', 'nonRepudiation']) : KEY_USAGES;
    const usages = (possible as KeyUsageName[]).filter(() => prng.chance(0.3));
    add(OID.keyUsage, prng.chance(0.9), encodeKeyUsage(usages.length ? usages : ['digitalSignature']));
  }
  if (prng.chance(0.7) && (!clean || sans.some((s) => s.type === 'dns' || s.type === 'ip'))) add(OID.extKeyUsage, false, encodeExtKeyUsage([OID.serverAuth, ...[OID.clientAuth, OID.emailProtection, OID.codeSigning].filter(() => prng.chance(0.5))]));
  if (prng.chance(0.3)) add(OID.basicConstraints, true, encodeBasicConstraints(clean || prng.chance(0.7) ? { ca: false } : { ca: true, pathLength: prng.chance(0.5) ? prng.int(3) : undefined }));
  if (sans.length) add(OID.subjectAltName, subject.length === 0 || prng.chance(0.1), encodeSubjectAltName(sans));
  if (prng.chance(0.2)) {
    // certificatePolicies with one policy OID, written as raw DER like an administrator's PROPTYPE_BINARY value.
    add(OID.certificatePolicies, false, toDer(new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: `2.23.140.1.2.${prng.between(1, 3)}` })] })] })));
  }
  if (prng.chance(0.2)) add(`1.3.6.1.4.1.${prng.between(1, 99999)}.${prng.between(0, 200)}`, prng.chance(0.3), toDer(new asn1js.OctetString({ valueHex: prng.bytes(prng.between(0, 300)) })));
  // Draft order is whatever the policy and the CA made it; the encoders must keep it.
  for (let i = exts.length - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    [exts[i], exts[j]] = [exts[j]!, exts[i]!];
  }
  return exts;
}

interface TestCa {
  alg: CaKeyAlgorithm;
  der: Buffer;
  signer: Signer;
  issuer: PreparedIssuer;
  keyId: Buffer;
}

async function makeCa(alg: CaKeyAlgorithm, prng: Prng): Promise<TestCa> {
  const { privateKey, publicKey } = generateKeyPair(alg);
  const subject = randomName(prng).filter((r) => r.type !== 'C');
  subject.push({ type: 'CN', value: `Differential ${alg} ${text(prng, 1, 10)}` });
  const der = await createSelfSignedCa({ subject, privateKey, publicKey, notBefore: CA_NOT_BEFORE, notAfter: CA_NOT_AFTER });
  const signer = createSigner(privateKey);
  const issuer = prepareIssuer({ certificateDer: der, signer });
  return { alg, der, signer, issuer, keyId: subjectKeyIdentifier(splitCertificate(der).spki) };
}

type Outcome = { ok: true; tbs: Buffer; cert: Buffer } | { ok: false; code: string; message: string };

async function viaReference(spec: CertificateSpec, ca: TestCa, caAllowed: boolean): Promise<Outcome> {
  try {
    const p = referencePrepare(spec, { certificateDer: ca.der, signer: ca.signer }, { caAllowed });
    return { ok: true, tbs: p.tbs, cert: await referenceIssue(p) };
  } catch (e) {
    return { ok: false, code: (e as { code?: string }).code ?? 'THROWN', message: (e as Error).message };
  }
}

async function viaPrepared(spec: CertificateSpec, ca: TestCa, caAllowed: boolean): Promise<Outcome & { sha?: string }> {
  try {
    const token = prepareCertificate(spec, ca.issuer, { caAllowed });
    const cert = await issueCertificate(token);
    return { ok: true, tbs: splitCertificate(cert).tbs, cert, sha: token.tbsSha256 };
  } catch (e) {
    return { ok: false, code: (e as { code?: string }).code ?? 'THROWN', message: (e as Error).message };
  }
}

const CERTS_PER_CA = Number(process.env.SIGNET_DIFF_CASES ?? 80);

describe('prepared issuer and direct DER writer against the reference path', () => {
  const keys = leafKeys();

  describe.each(CA_KEY_ALGORITHMS.map((a) => [a]))('CA key %s', (alg) => {
    let ca: TestCa;
    const prng = new Prng(SEED ^ CA_KEY_ALGORITHMS.indexOf(alg));
    beforeAll(async () => {
      ca = await makeCa(alg, prng);
    }, 120_000);

    it(`builds ${CERTS_PER_CA} random certificates with byte-identical TBSCertificates, or the same lint verdict`, async () => {
      let issued = 0;
      let refused = 0;
      for (let i = 0; i < CERTS_PER_CA; i++) {
        const key = prng.pick(keys);
        // Three in four drafts are clean, as a policy makes them; the rest are anything, for lint to refuse alike.
        const clean = prng.chance(0.75);
        const subject = randomName(prng);
        const sans = randomSans(prng);
        if (clean && subject.length === 0 && sans.length === 0) sans.push({ type: 'dns', value: 'only.example.com' });
        // Across 2049/2050: UTCTime before, GeneralizedTime from 2050 on (RFC 5280 4.1.2.5); now and then before the CA or after it.
        const notBefore = !clean && prng.chance(0.3) ? randomDate(prng, 1990, 2001) : randomDate(prng, 2000, 2055);
        const notAfter = prng.chance(0.5) ? new Date(notBefore.getTime() + prng.between(1, 800) * DAY + prng.int(DAY)) : randomDate(prng, 2049, 2051);
        const spec: CertificateSpec = {
          serialHex: clean ? prng.bytes(16).toString('hex').replace(/^../, '4a') : randomSerial(prng),
          subject,
          notBefore,
          notAfter,
          spki: key.spki,
          extensions: randomExtensions(prng, key.spki, ca.keyId, subject, sans, clean, key.kind),
        };
        const caAllowed = prng.chance(0.3);
        const ref = await viaReference(spec, ca, caAllowed);
        const got = await viaPrepared(spec, ca, caAllowed);
        const context = `case ${i} (seed ${SEED}, ${key.kind} leaf): ${JSON.stringify({ ...spec, spki: key.kind })}`;
        if (!ref.ok || !got.ok) {
          expect({ context, outcome: got.ok ? 'issued' : { code: got.code, message: got.message } }).toEqual({ context, outcome: ref.ok ? 'issued' : { code: ref.code, message: ref.message } });
          refused++;
          continue;
        }
        issued++;
        expect({ context, tbs: got.tbs.toString('hex') }).toEqual({ context, tbs: ref.tbs.toString('hex') });
        expect(got.sha).toBe(createHash('sha256').update(ref.tbs).digest('hex'));
        // PKCS#1 v1.5 is deterministic: the whole certificate is the same.
        if (alg.startsWith('rsa')) expect(got.cert.equals(ref.cert)).toBe(true);
        expect(await verifyCertificateSignature(got.cert, ca.der)).toBe(true);
      }
      // Both kinds of outcome occur, so both are compared.
      expect(issued).toBeGreaterThan(CERTS_PER_CA / 4);
      expect(refused).toBeGreaterThan(0);
    }, 300_000);

    it('issues certificates that openssl verify -x509_strict and certtool --verify accept (subjects, SAN mixes, leaf keys, UTCTime and GeneralizedTime)', async () => {
      const caFile = scratch.write(`${alg}-ca.pem`, toPem(ca.der, 'CERTIFICATE'));
      for (let i = 0; i < 4; i++) {
        const key = keys[i % keys.length]!;
        const sans: San[] = [{ type: 'dns', value: `host${i}.example.com` }, ...randomSans(prng).filter((s) => s.type !== 'upn' && s.type !== 'dns')];
        const subject: Name = [{ type: 'O', value: `Diff ${text(prng, 1, 8)}` }, { type: 'CN', value: `host${i}.example.com` }];
        const usage: KeyUsageName[] = key.kind.startsWith('RSA') ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
        const spec: CertificateSpec = {
          serialHex: (0x10 + prng.int(0x60)).toString(16) + prng.bytes(15).toString('hex'),
          subject,
          notBefore: TODAY,
          // Every other one ends in 2050 or later: GeneralizedTime.
          notAfter: i % 2 ? new Date(Date.UTC(2050 + i, 5, 1)) : new Date(TODAY.getTime() + 90 * DAY),
          spki: key.spki,
          extensions: [
            { oid: OID.basicConstraints, critical: true, value: encodeBasicConstraints({ ca: false }) },
            { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(usage) },
            { oid: OID.extKeyUsage, critical: false, value: encodeExtKeyUsage([OID.serverAuth, OID.clientAuth]) },
            { oid: OID.subjectAltName, critical: false, value: encodeSubjectAltName(sans) },
            { oid: OID.subjectKeyIdentifier, critical: false, value: encodeSubjectKeyIdentifier(subjectKeyIdentifier(key.spki)) },
            ca.issuer.authorityKeyIdentifier,
            { oid: OID.crlDistributionPoints, critical: false, value: encodeCrlDistributionPoints(['http://crl.example.com/ca.crl']) },
            { oid: OID.authorityInfoAccess, critical: false, value: encodeAuthorityInfoAccess({ ocsp: ['http://ocsp.example.com'], caIssuers: ['http://ca.example.com/ca.crt'] }) },
          ],
        };
        const cert = await issueCertificate(prepareCertificate(spec, ca.issuer));
        const leafFile = scratch.write(`${alg}-${i}.pem`, toPem(cert, 'CERTIFICATE'));
        const ossl = run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', caFile, leafFile]);
        expect(`${key.kind}: ${ossl.out}`).toContain(': OK');
        expect(ossl.status).toBe(0);
        const gnutls = run('certtool', ['--verify', '--load-ca-certificate', caFile, '--infile', leafFile]);
        expect(`${key.kind}: ${gnutls.out}`).toContain('Chain verification output: Verified');
        expect(gnutls.status).toBe(0);
      }
    }, 120_000);
  });

  it('fails lint, both ways alike, for an extension OID DER cannot carry (asn1js wrote "1.40" as "2.0")', async () => {
    const ca = await makeCa('ecdsa-p256', new Prng(SEED + 6));
    for (const oid of ['1.40.1', '0.99', '1.2.x']) {
      const spec: CertificateSpec = { serialHex: '4a01', subject: [{ type: 'CN', value: 'x' }], notBefore: TODAY, notAfter: new Date(TODAY.getTime() + DAY), spki: keys[0]!.spki, extensions: [{ oid, critical: false, value: Buffer.from('0500', 'hex') }] };
      const got = await viaPrepared(spec, ca, false);
      expect(got).toEqual(await viaReference(spec, ca, false));
      expect(got).toMatchObject({ ok: false, code: 'LINT_FAILED' });
      expect((got as { message: string }).message).toContain('is not an object identifier');
    }
  });

  it('refuses a signer whose key is not the CA certificate\'s, as the reference does', async () => {
    const prng = new Prng(SEED + 1);
    const ca = await makeCa('ecdsa-p256', prng);
    const other = createSigner(generateKeyPair('ecdsa-p256').privateKey);
    const spec: CertificateSpec = { serialHex: '01', subject: [{ type: 'CN', value: 'x' }], notBefore: TODAY, notAfter: new Date(TODAY.getTime() + DAY), spki: keys[0]!.spki, extensions: [] };
    const wrong = { ...ca, signer: other, issuer: prepareIssuer({ certificateDer: ca.der, signer: other }) };
    const ref = await viaReference(spec, wrong, false);
    const got = await viaPrepared(spec, wrong, false);
    expect(ref.ok).toBe(false);
    expect(got).toEqual(ref);
  });
});

describe('direct encoders against asn1js', () => {
  const prng = new Prng(SEED + 2);

  it('Name: the same DER for random names', () => {
    for (let i = 0; i < 500; i++) {
      const name = randomName(prng);
      let ref: string;
      try {
        ref = referenceEncodeName(name).toString('hex');
      } catch (e) {
        expect(() => encodeName(name)).toThrow((e as Error).message);
        continue;
      }
      expect(encodeName(name).toString('hex')).toBe(ref);
    }
  });

  it('Extensions: the same DER for random lists, criticality and value sizes (long-form lengths included)', () => {
    for (let i = 0; i < 300; i++) {
      const exts: RawExtension[] = [];
      for (let n = prng.between(1, 6); n > 0; n--) {
        exts.push({ oid: `${prng.int(3)}.${prng.int(40)}.${prng.u32()}.${prng.int(200)}`, critical: prng.chance(0.5), value: prng.bytes(prng.pick([0, 1, 127, 128, 255, 256, 70_000])) });
      }
      expect(encodeExtensions(exts).toString('hex')).toBe(referenceEncodeExtensions(exts).toString('hex'));
    }
  });

  it('subjectAltName, SKI and AKI values: the same DER as the asn1js encoders', () => {
    for (let i = 0; i < 500; i++) {
      const sans = randomSans(prng);
      if (prng.chance(0.1)) sans.push({ type: prng.pick(['dns', 'email', 'uri', 'upn'] as const), value: prng.pick(['é.example', 'a\u0007b', 'x\ud800']) });
      let ref: string;
      try {
        ref = referenceEncodeSubjectAltName(sans).toString('hex');
      } catch (e) {
        expect(() => encodeSubjectAltName(sans)).toThrow((e as Error).message);
        continue;
      }
      expect(encodeSubjectAltName(sans).toString('hex')).toBe(ref);
      const keyId = prng.bytes(prng.between(1, 64));
      expect(encodeSubjectKeyIdentifier(keyId).toString('hex')).toBe(toDer(new asn1js.OctetString({ valueHex: keyId })).toString('hex'));
      expect(encodeAuthorityKeyIdentifier(keyId).toString('hex')).toBe(
        toDer(new asn1js.Sequence({ value: [new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: keyId })] })).toString('hex'),
      );
    }
  });

  it('AlgorithmIdentifier: the same DER for every signature algorithm the library writes', () => {
    for (const oid of [OID.sha256WithRSAEncryption, OID.sha384WithRSAEncryption, OID.sha512WithRSAEncryption, OID.ecdsaWithSHA256, OID.ecdsaWithSHA384, OID.ecdsaWithSHA512, OID.ed25519, OID.ed448]) {
      expect(encodeSignatureAlgorithm(oid).toString('hex')).toBe(referenceEncodeSignatureAlgorithm(oid).toString('hex'));
    }
  });

  it('OBJECT IDENTIFIER: the same DER for large arcs, and a refusal for what is not an OID', () => {
    for (const oid of ['0.0', '1.39', '2.40', '2.999', '2.25.329800735698586629295641978511506172918', '1.2.840.113549.1.1.11', '1.3.6.1.4.1.4294967295.0']) {
      expect(encodeOid(oid).toString('hex')).toBe(toDer(new asn1js.ObjectIdentifier({ value: oid })).toString('hex'));
    }
    for (const bad of ['', '1', '3.1', '1.40', '0.1.', '1..2', '1.02', 'a.b', '1.2.-3']) expect(() => encodeOid(bad)).toThrow('not an object identifier');
  });
});

describe('direct key reading against OpenSSL\'s DER import and asn1js', () => {
  const prng = new Prng(SEED + 4);
  const spkis = (): Buffer[] => {
    const out: Buffer[] = [];
    for (const [type, opts] of [['ec', { namedCurve: 'P-256' }], ['ec', { namedCurve: 'P-384' }], ['ec', { namedCurve: 'P-521' }], ['rsa', { modulusLength: 2048 }], ['rsa', { modulusLength: 1024, publicExponent: 3 }], ['ed25519', {}], ['ed448', {}]] as const) {
      for (let i = 0; i < 3; i++) out.push(generateKeyPairSync(type as 'ec', opts as { namedCurve: string }).publicKey.export({ type: 'spki', format: 'der' }));
    }
    return out;
  };

  it('makes the same key object as the DER import, and refuses the same keys with the same message', () => {
    const der = (spki: Buffer) => createPublicKey({ key: spki, format: 'der', type: 'spki' });
    const all = spkis();
    for (const spki of all) {
      const key = publicKeyFromSpki(spki);
      expect(key.equals(der(spki))).toBe(true);
      expect(key.export({ type: 'spki', format: 'der' }).equals(spki)).toBe(true);
      expect(describePublicKey(spki)).toEqual(describeKeyObject(der(spki), spki));
    }
    // A P-256 point off the curve, a truncated key, flipped bytes: the same outcome either way.
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
    const offCurve = Buffer.from(p256);
    offCurve[offCurve.length - 1] ^= 0x01;
    const variants = [offCurve, p256.subarray(0, p256.length - 1)];
    for (let i = 0; i < 300; i++) {
      const v = Buffer.from(prng.pick(all));
      v[prng.int(v.length)] ^= 1 << prng.int(8);
      variants.push(v);
    }
    for (const v of variants) {
      let expected: string;
      try {
        expected = `ok ${der(v).export({ type: 'spki', format: 'der' }).toString('hex')}`;
      } catch (e) {
        expected = `SubjectPublicKeyInfo: unreadable public key (${(e as Error).message})`;
      }
      let got: string;
      try {
        got = `ok ${publicKeyFromSpki(v).export({ type: 'spki', format: 'der' }).toString('hex')}`;
      } catch (e) {
        got = (e as Error).message;
      }
      expect(got).toBe(expected);
    }
  });

  it('computes the subjectKeyIdentifier the asn1js way', () => {
    const viaAsn1 = (spki: Buffer) => {
      const seq = asn1js.fromBER(spki).result as asn1js.Sequence;
      return createHash('sha1').update((seq.valueBlock.value[1] as asn1js.BitString).valueBlock.valueHexView).digest('hex');
    };
    for (const spki of spkis()) expect(subjectKeyIdentifier(spki).toString('hex')).toBe(viaAsn1(spki));
    // Long-form length written non-minimally (BER): the general parser's answer, not the direct reader's refusal.
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
    const ber = Buffer.concat([Buffer.from([0x30, 0x81, p256[1]]), p256.subarray(2)]);
    expect(subjectKeyIdentifier(ber).toString('hex')).toBe(viaAsn1(p256));
  });
});

describe('lint\'s direct extension decoders against their asn1js versions', () => {
  const prng = new Prng(SEED + 5);
  const outcome = (f: () => unknown) => {
    try {
      const v = f();
      return { ok: true, value: Buffer.isBuffer(v) ? v.toString('hex') : v };
    } catch (e) {
      return { ok: false, code: (e as { code?: string }).code, message: (e as Error).message };
    }
  };
  const mutate = (der: Buffer): Buffer => {
    const v = Buffer.from(der);
    switch (prng.int(4)) {
      case 0:
        v[prng.int(v.length)] ^= 1 << prng.int(8);
        return v;
      case 1:
        return v.subarray(0, prng.int(v.length));
      case 2:
        return Buffer.concat([v, prng.bytes(prng.between(1, 3))]);
      default:
        v[prng.int(v.length)] = prng.int(256);
        return v;
    }
  };
  const cases: [string, () => Buffer, (d: Buffer) => unknown, (d: Buffer) => unknown][] = [
    ['keyUsage', () => encodeKeyUsage(KEY_USAGES.filter(() => prng.chance(0.4)).concat('digitalSignature')), decodeKeyUsage, decodeKeyUsageGeneral],
    ['extKeyUsage', () => encodeExtKeyUsage([OID.serverAuth, OID.clientAuth, '1.3.6.1.4.1.311.20.2.2', `2.${prng.u32()}`].filter(() => prng.chance(0.5)).concat(OID.codeSigning)), decodeExtKeyUsage, decodeExtKeyUsageGeneral],
    ['basicConstraints', () => encodeBasicConstraints(prng.chance(0.3) ? { ca: false } : { ca: true, pathLength: prng.chance(0.5) ? prng.int(300) : undefined }), decodeBasicConstraints, decodeBasicConstraintsGeneral],
    ['authorityKeyIdentifier', () => encodeAuthorityKeyIdentifier(prng.bytes(prng.between(1, 64))), decodeAuthorityKeyIdentifier, decodeAuthorityKeyIdentifierGeneral],
  ];
  it.each(cases)('%s: the same value or error for encoded, mutated and hand-made values', (_name, make, direct, general) => {
    const extra = [Buffer.from('3000', 'hex'), Buffer.from('0300', 'hex'), Buffer.from('030107', 'hex'), Buffer.from('30030101ff', 'hex'), Buffer.from('3003010100', 'hex'), Buffer.from('3006010101020100', 'hex'), Buffer.from('3081030101ff', 'hex'), Buffer.from('300206', 'hex')];
    for (let i = 0; i < 1500; i++) {
      const der = i < extra.length ? extra[i]! : i % 3 === 0 ? make() : mutate(make());
      expect({ der: der.toString('hex'), result: outcome(() => direct(der)) }).toEqual({ der: der.toString('hex'), result: outcome(() => general(der)) });
    }
  });
});

describe('direct CSR reader against the general parser', () => {
  const prng = new Prng(SEED + 3);
  const keys = fuzzKeys(prng);

  type CsrOutcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };
  const outcome = async (f: () => Promise<unknown>): Promise<CsrOutcome> => {
    try {
      return { ok: true, value: await f() };
    } catch (e) {
      return { ok: false, code: (e as { code?: string }).code ?? 'THROWN', message: (e as Error).message };
    }
  };

  it('reads what common clients send directly, with the same result (createCsr with P-256, P-384 and RSA keys; Ed25519 and P-256 requests of every string type)', async () => {
    const requesters = [generateKeyPair('ecdsa-p256'), generateKeyPair('ecdsa-p384'), generateKeyPair('rsa-2048')];
    let direct = 0;
    for (let i = 0; i < 150; i++) {
      let der: Buffer;
      if (i % 2 === 0) {
        const k = requesters[i % 3]!;
        const subject = randomName(prng);
        const sans = randomSans(prng);
        if (subject.length === 0 && sans.length === 0) subject.push({ type: 'CN', value: 'x' });
        try {
          der = await createCsr({ subject, sans, privateKey: k.privateKey });
        } catch {
          continue;
        }
      } else {
        const { subject, sans } = baselineNames(prng);
        const extra: RawRdn[] = prng.chance(0.5) ? [{ type: 'OU', tag: prng.pick(['utf8', 'printable', 'ia5', 'teletex', 'bmp', 'universal', 'visible'] as const), value: 'Ops é' }] : [];
        der = rawCsr(prng.chance(0.5) ? keys.ed25519 : keys.p256, [...extra, ...subject], sans);
      }
      const ref = await outcome(() => referenceParseCsr(der));
      const fast = await parseCommon(der);
      if (fast !== undefined) {
        direct++;
        expect(ref).toEqual({ ok: true, value: fast });
      }
      expect(await outcome(() => parseCsr(der))).toEqual(ref);
    }
    // The direct reader is what the common requests take.
    expect(direct).toBeGreaterThan(75);
  }, 120_000);

  it('gives the general parser\'s answer, value or error, for mutated and hostile requests', async () => {
    for (let i = 0; i < 1500; i++) {
      const c = prng.chance(0.3) ? controlCharacterCsr(prng, keys) : mutateCsr(prng, keys);
      const ref = await outcome(() => referenceParseCsr(c.der));
      const fast = await parseCommon(c.der);
      if (fast !== undefined) expect({ kind: c.kind, result: ref }).toEqual({ kind: c.kind, result: { ok: true, value: fast } });
      expect({ kind: c.kind, result: await outcome(() => parseCsr(c.der)) }).toEqual({ kind: c.kind, result: ref });
    }
  }, 300_000);
});
