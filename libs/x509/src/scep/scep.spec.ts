import { ErrorCode, SignetError } from '@signet/contracts';
import { fuzzSeed, fuzzCases, Prng, derNodes, ScratchDir } from '@signet/testing';
import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fromPem } from '../pem';
import { derSequence, tlv } from '../der';
import { splitCertificate } from '../inspect';
import { must, run } from '../test-tools';
import { failInfoOf, openScepEnvelope, sealScepEnvelope } from './index';
import { buildScepCertRep, buildScepRequest, readScepRequest, scepCertsOnly, scepCsrInfo, scepIssuerAndSerial, scepIssuerAndSubject } from './message';
import { ScepMessageType } from './constants';

/*
 * SCEP's CMS layer (RFC 8894 3) against itself and against OpenSSL's CMS
 * implementation as the independent party: OpenSSL opens what we seal and
 * verifies what we sign; we open what OpenSSL seals.
 */

const dir = new ScratchDir('signet-scep-');
interface Party {
  cert: Buffer;
  certPem: string;
  key: KeyObject;
  keyPem: string;
}

function selfSigned(name: string, key = 'rsa:2048'): Party {
  const keyPath = dir.path(`${name}.key`);
  const certPath = dir.path(`${name}.pem`);
  must('openssl', ['req', '-x509', '-newkey', key, '-nodes', '-subj', `/CN=${name}`, '-days', '2', '-keyout', keyPath, '-out', certPath]);
  const certPem = readFileSync(certPath, 'utf8');
  const keyPem = readFileSync(keyPath, 'utf8');
  return { cert: fromPem(certPem, 'CERTIFICATE'), certPem, key: createPrivateKey(keyPem), keyPem };
}

let ra: Party;
let client: Party;
let csr: Buffer;
const CHALLENGE = 'es-0123456789abcdef:' + 'ab'.repeat(32);

beforeAll(() => {
  ra = selfSigned('ra');
  client = selfSigned('client');
  const conf = dir.write('csr.cnf', `[req]\nprompt = no\ndistinguished_name = dn\nattributes = attrs\n[dn]\nCN = device.example.com\n[attrs]\nchallengePassword = ${CHALLENGE}\n`);
  const out = dir.path('device.csr');
  must('openssl', ['req', '-new', '-key', dir.path('client.key'), '-config', conf, '-outform', 'DER', '-out', out]);
  csr = readFileSync(out);
});

function request(over: Partial<Parameters<typeof buildScepRequest>[0]> = {}): Buffer {
  return buildScepRequest({
    messageType: ScepMessageType.PKCSReq,
    transactionId: 'tx-1234',
    senderNonce: Buffer.alloc(16, 7),
    signer: { certificate: client.cert, privateKey: client.key },
    digest: 'sha256',
    content: csr,
    recipient: ra.cert,
    cipher: 'aes-128-cbc',
    ...over,
  });
}

function rejects(f: () => unknown): SignetError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SignetError);
    return e as SignetError;
  }
  throw new Error('expected a SignetError');
}

describe('a client request', () => {
  it.each(['aes-128-cbc', 'aes-256-cbc'] as const)('round trips with %s: the signed attributes, a valid signature, the CSR back out of the envelope', (cipher) => {
    const signed = readScepRequest(request({ cipher }));
    expect(signed).toMatchObject({ messageType: 19, transactionId: 'tx-1234', senderNonce: Buffer.alloc(16, 7), digest: 'sha256', signatureValid: true });
    expect(signed.signerCertificate.equals(client.cert)).toBe(true);
    expect(openScepEnvelope(signed.envelope!, { certificate: ra.cert, privateKey: ra.key }, { allowDes3: false })).toEqual({ content: csr, cipher });
  });

  it('the CSR yields its public key and challengePassword; a broken one is badRequest', () => {
    const info = scepCsrInfo(csr);
    expect(info.challengePassword).toBe(CHALLENGE);
    expect(info.spki.equals(fromPem(must('openssl', ['pkey', '-in', dir.path('client.key'), '-pubout']), 'PUBLIC KEY'))).toBe(true);
    const e = rejects(() => scepCsrInfo(csr.subarray(0, 40)));
    expect({ code: e.code, failInfo: failInfoOf(e) }).toEqual({ code: ErrorCode.MalformedRequest, failInfo: 'badRequest' });
  });

  it('3DES opens only when legacy clients are enabled; otherwise badAlg', () => {
    const env = readScepRequest(request({ cipher: 'des-ede3-cbc' })).envelope!;
    const e = rejects(() => openScepEnvelope(env, { certificate: ra.cert, privateKey: ra.key }, { allowDes3: false }));
    expect(failInfoOf(e)).toBe('badAlg');
    expect(openScepEnvelope(env, { certificate: ra.cert, privateKey: ra.key }, { allowDes3: true }).content).toEqual(csr);
  });

  it('single DES is badAlg without the single-DES opt-in, legacy 3DES or not; with it, the envelope opens as des-cbc', () => {
    const env = readScepRequest(request({ cipher: 'des-cbc' })).envelope!;
    for (const allowDes3 of [false, true]) {
      const e = rejects(() => openScepEnvelope(env, { certificate: ra.cert, privateKey: ra.key }, { allowDes3 }));
      expect({ failInfo: failInfoOf(e), message: e.message }).toEqual({
        failInfo: 'badAlg',
        message: `pkcsPKIEnvelope: content encryption single DES is not accepted (AES-CBC${allowDes3 ? ' or 3DES-CBC' : ''})`,
      });
    }
    expect(openScepEnvelope(env, { certificate: ra.cert, privateKey: ra.key }, { allowDes3: false, allowSingleDes: true })).toEqual({ content: csr, cipher: 'des-cbc' });
  });

  it('an envelope for another key fails as badMessageCheck, never with a padding-specific error', () => {
    const other = selfSigned('other');
    const env = readScepRequest(request()).envelope!;
    const e = rejects(() => openScepEnvelope(env, { certificate: ra.cert, privateKey: other.key }, { allowDes3: false }));
    expect({ code: e.code, message: e.message, failInfo: failInfoOf(e) }).toEqual({
      code: ErrorCode.MalformedRequest,
      message: 'pkcsPKIEnvelope: cannot be decrypted with the RA key',
      failInfo: 'badMessageCheck',
    });
  });

  it('a changed signature or content reads back as not valid (the caller answers badMessageCheck)', () => {
    const der = request();
    const flipped = Buffer.from(der);
    flipped[flipped.length - 5] ^= 1; // inside the signature
    expect(readScepRequest(flipped).signatureValid).toBe(false);
    const other = request({ signer: { certificate: client.cert, privateKey: selfSigned('impostor').key } });
    expect(readScepRequest(other).signatureValid).toBe(false);
  });

  it('an EC signer is read and verified', () => {
    const ec = selfSigned('ec', 'ec:' + dir.write('p256.pem', must('openssl', ['ecparam', '-name', 'prime256v1'])));
    expect(readScepRequest(request({ signer: { certificate: ec.cert, privateKey: ec.key } })).signatureValid).toBe(true);
  });

  it('garbage, truncation and other CMS types are MALFORMED_REQUEST', () => {
    for (const bad of [Buffer.alloc(0), Buffer.from('hello'), request().subarray(0, 100), scepCertsOnly([ra.cert]), readScepRequest(request()).envelope!]) {
      expect(rejects(() => readScepRequest(bad)).code).toBe(ErrorCode.MalformedRequest);
    }
  });

  it('CertPoll and GetCert contents parse; junk in them is MALFORMED_REQUEST', () => {
    const c = splitCertificate(client.cert);
    const ias = derSequence([c.issuerDer, tlv(0x02, c.serial)]);
    expect(scepIssuerAndSerial(ias).serialHex).toBe(c.serial.toString('hex').replace(/^00(?=[89a-f])/, ''));
    expect(scepIssuerAndSubject(derSequence([c.issuerDer, c.subjectDer]))).toEqual({ issuer: c.issuerDer, subject: c.subjectDer });
    expect(rejects(() => scepIssuerAndSubject(ias)).code).toBe(ErrorCode.MalformedRequest);
    expect(rejects(() => scepIssuerAndSerial(Buffer.from([0x30, 0x00]))).code).toBe(ErrorCode.MalformedRequest);
  });
});

describe('OpenSSL as the other party', () => {
  it('OpenSSL opens an envelope we seal to its key', () => {
    const env = dir.write('sealed.der', sealScepEnvelope(Buffer.from('sealed content'), ra.cert, 'aes-256-cbc'));
    expect(must('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', env, '-recip', dir.path('ra.pem'), '-inkey', dir.path('ra.key')])).toBe('sealed content');
  });

  it('we open an envelope OpenSSL sealed to the RA', () => {
    const input = dir.write('plain.bin', csr);
    const out = dir.path('openssl-env.der');
    must('openssl', ['cms', '-encrypt', '-binary', '-aes128', '-outform', 'DER', '-in', input, '-out', out, dir.path('ra.pem')]);
    expect(openScepEnvelope(readFileSync(out), { certificate: ra.cert, privateKey: ra.key }, { allowDes3: false }).content).toEqual(csr);
  });

  // OpenSSL 3 has single DES only in its legacy provider: loaded here for the independent party alone.
  const legacy = ['-provider', 'legacy', '-provider', 'default'];

  it('we open a single-DES envelope OpenSSL sealed to the RA only with the opt-in', () => {
    const input = dir.write('plain-des.bin', csr);
    const out = dir.path('openssl-des-env.der');
    must('openssl', ['cms', '-encrypt', ...legacy, '-binary', '-des', '-outform', 'DER', '-in', input, '-out', out, dir.path('ra.pem')]);
    expect(must('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', out])).toContain('algorithm: des-cbc');
    const e = rejects(() => openScepEnvelope(readFileSync(out), { certificate: ra.cert, privateKey: ra.key }, { allowDes3: true }));
    expect(failInfoOf(e)).toBe('badAlg');
    expect(openScepEnvelope(readFileSync(out), { certificate: ra.cert, privateKey: ra.key }, { allowDes3: false, allowSingleDes: true })).toEqual({ content: csr, cipher: 'des-cbc' });
  });

  it('OpenSSL opens a single-DES envelope we seal (DES-CBC run as 3DES with the key thrice is DES-CBC)', () => {
    const env = dir.write('sealed-des.der', sealScepEnvelope(Buffer.from('sealed with DES'), ra.cert, 'des-cbc'));
    expect(must('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', env])).toContain('algorithm: des-cbc');
    expect(must('openssl', ['cms', '-decrypt', ...legacy, '-inform', 'DER', '-in', env, '-recip', dir.path('ra.pem'), '-inkey', dir.path('ra.key')])).toBe('sealed with DES');
  });

  it('a SUCCESS CertRep verifies with OpenSSL, echoes the transaction and nonce, and carries the certificate encrypted to the client', () => {
    const rep = buildScepCertRep({
      signer: { certificate: ra.cert, privateKey: ra.key },
      transactionId: 'tx-1234',
      recipientNonce: Buffer.alloc(16, 7),
      digest: 'sha256',
      status: 'SUCCESS',
      success: { certificates: [client.cert, ra.cert], recipient: client.cert, cipher: 'aes-128-cbc' },
    });
    const read = readScepRequest(rep);
    expect(read).toMatchObject({ messageType: 3, pkiStatus: 0, transactionId: 'tx-1234', recipientNonce: Buffer.alloc(16, 7), signatureValid: true });
    expect(read.failInfo).toBeUndefined();
    expect(read.senderNonce.length).toBe(16);
    const repFile = dir.write('rep.der', rep);
    const inner = dir.path('inner.der');
    must('openssl', ['cms', '-verify', '-noverify', '-inform', 'DER', '-in', repFile, '-out', inner, '-binary']);
    const p7 = dir.path('certs.p7');
    must('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', inner, '-recip', dir.path('client.pem'), '-inkey', dir.path('client.key'), '-out', p7, '-binary']);
    const certs = must('openssl', ['pkcs7', '-inform', 'DER', '-in', p7, '-print_certs']);
    expect(certs).toContain('subject=CN = client');
    expect(certs).toContain('subject=CN = ra');
  });

  it('FAILURE and PENDING CertReps carry pkiStatus, failInfo only on FAILURE, and verify with OpenSSL', () => {
    const base = { signer: { certificate: ra.cert, privateKey: ra.key }, transactionId: 'tx-1234', recipientNonce: Buffer.alloc(16, 7), digest: 'sha512' as const };
    const failure = buildScepCertRep({ ...base, status: 'FAILURE', failInfo: 'badRequest' });
    expect(readScepRequest(failure)).toMatchObject({ pkiStatus: 2, failInfo: 2, signatureValid: true, digest: 'sha512' });
    const pending = readScepRequest(buildScepCertRep({ ...base, status: 'PENDING' }));
    expect(pending).toMatchObject({ pkiStatus: 3, signatureValid: true });
    expect(pending.failInfo).toBeUndefined();
    expect(run('openssl', ['cms', '-verify', '-noverify', '-inform', 'DER', '-in', dir.write('fail.der', failure), '-out', '/dev/null']).status).toBe(0);
    expect(() => buildScepCertRep({ ...base, status: 'FAILURE' })).toThrow(SignetError);
  });

  it('a certs-only bundle lists its certificates for OpenSSL', () => {
    const out = must('openssl', ['pkcs7', '-inform', 'DER', '-in', dir.write('bundle.p7', scepCertsOnly([ra.cert, client.cert])), '-print_certs']);
    expect(out.match(/subject=/g)).toHaveLength(2);
  });
});

/*
 * Malformed envelopes: bit flips, truncations, tag swaps and random bytes
 * on a valid PKCSReq. Each ends as a read request (whose signature then
 * fails or holds) and an opened or refused envelope, or as a SignetError
 * with MALFORMED_REQUEST: never another exception. SIGNET_FUZZ_SEED and
 * SIGNET_FUZZ_CASES as for the CSR fuzz test.
 */
describe('fuzzed messages', () => {
  const SEED = fuzzSeed(0x5cef);
  const CASES = fuzzCases(1_000);

  it(`${CASES} mutated messages end in a typed result (seed ${SEED})`, () => {
    const prng = new Prng(SEED);
    const base = request();
    const nodes = derNodes(base);
    const recipient = { certificate: ra.cert, privateKey: ra.key };
    const problems: string[] = [];
    for (let n = 0; n < CASES; n++) {
      const m = Buffer.from(base);
      let kind: string;
      switch (prng.int(4)) {
        case 0: {
          const flips = prng.between(1, 4);
          for (let i = 0; i < flips; i++) m[prng.int(m.length)] ^= 1 << prng.int(8);
          kind = 'bit flips';
          break;
        }
        case 1:
          kind = 'truncated';
          break;
        case 2: {
          const node = prng.pick(nodes);
          m[node.start] = prng.pick([0x02, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x30, 0x31, 0xa0, 0xa1, 0x80]);
          kind = 'tag swapped';
          break;
        }
        default:
          kind = 'random';
      }
      const input = kind === 'truncated' ? m.subarray(0, prng.int(m.length)) : kind === 'random' ? randomBytes(prng.between(0, 600)) : m;
      try {
        const r = readScepRequest(input);
        if (r.envelope) openScepEnvelope(r.envelope, recipient, { allowDes3: false });
      } catch (e) {
        if (!(e instanceof SignetError) || e.code !== ErrorCode.MalformedRequest) problems.push(`${kind}: ${(e as Error)?.constructor?.name} ${(e as Error)?.message} — ${input.toString('base64')}`);
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });
});
