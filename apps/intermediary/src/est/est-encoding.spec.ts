import { generateKeyPairSync } from 'node:crypto';
import { ANONYMOUS_IDENTITY, type Identity } from '@signet/contracts';
import { channelBindingOf, checkChannelBinding } from './channel-binding';
import { parseEstLabels, loadEstConfig } from './est.config';
import { csrDerOf, estIdempotencyKey, serverKeygenBody } from './est-encoding';
import { type TLSSocket } from 'node:tls';

const DER = Buffer.from('3003020101', 'hex');
const B64 = DER.toString('base64');

describe('csrDerOf (RFC 7030 §4.2.1, RFC 8951 §3.2)', () => {
  it.each<[string, string | undefined, string]>([
    ['ok/one line', 'application/pkcs10', B64],
    ['ok/with CRLF line breaks and a trailing newline', 'application/pkcs10', `${B64.slice(0, 4)}\r\n${B64.slice(4)}\r\n`],
    ['ok/with LF and spaces', 'application/pkcs10', ` ${B64.slice(0, 4)}\n ${B64.slice(4)}\n`],
    ['ok/media type parameters and case', 'Application/PKCS10; charset=us-ascii', B64],
  ])('%s', (_n, type, body) => {
    expect(csrDerOf(type, Buffer.from(body))).toEqual(DER);
  });

  it.each<[string, string | undefined, unknown, string]>([
    ['fail/no content type', undefined, Buffer.from(B64), 'UNSUPPORTED_MEDIA_TYPE'],
    ['fail/another content type', 'application/octet-stream', Buffer.from(B64), 'UNSUPPORTED_MEDIA_TYPE'],
    ['fail/no body', 'application/pkcs10', undefined, 'MALFORMED_REQUEST'],
    ['fail/only whitespace', 'application/pkcs10', Buffer.from(' \r\n'), 'MALFORMED_REQUEST'],
    ['fail/not base64', 'application/pkcs10', Buffer.from('not base64!'), 'MALFORMED_REQUEST'],
    ['fail/base64 with a bad length', 'application/pkcs10', Buffer.from('MAMCAQ'), 'MALFORMED_REQUEST'],
    ['fail/PEM armour', 'application/pkcs10', Buffer.from(`-----BEGIN CERTIFICATE REQUEST-----\n${B64}\n-----END CERTIFICATE REQUEST-----\n`), 'MALFORMED_REQUEST'],
    ['fail/binary DER', 'application/pkcs10', DER, 'MALFORMED_REQUEST'],
    ['fail/base64 of something else than a SEQUENCE', 'application/pkcs10', Buffer.from(Buffer.from('hello').toString('base64')), 'MALFORMED_REQUEST'],
    ['fail/too long', 'application/pkcs10', Buffer.alloc(70_000, 0x41), 'TOO_LARGE'],
  ])('%s', (_n, type, body, code) => {
    expect(() => csrDerOf(type, body)).toThrow(expect.objectContaining({ code }));
  });
});

describe('estIdempotencyKey', () => {
  const alice: Identity = { method: 'enrollment-secret', principal: 'es-0000000000000001', names: [], groups: [], evidence: {} };
  const bob: Identity = { ...alice, principal: 'es-0000000000000002' };

  it('ok/the same requester, template and request give the same key; any of them changed, another', () => {
    const k = estIdempotencyKey(alice, 'WebServer', DER);
    expect(k).toMatch(/^est-[0-9a-f]{64}$/);
    const more: Identity = { ...alice, names: [{ type: 'dns', value: 'x.example.com' }] };
    expect(estIdempotencyKey(more, 'WebServer', DER)).toBe(k);
    expect(estIdempotencyKey(bob, 'WebServer', DER)).not.toBe(k);
    expect(estIdempotencyKey(alice, 'ClientAuth', DER)).not.toBe(k);
    expect(estIdempotencyKey(alice, undefined, DER)).not.toBe(k);
    expect(estIdempotencyKey(alice, 'WebServer', Buffer.from('3003020102', 'hex'))).not.toBe(k);
    expect(estIdempotencyKey(ANONYMOUS_IDENTITY, 'WebServer', DER)).not.toBe(k);
  });
});

describe('serverKeygenBody (RFC 7030 §4.4.2)', () => {
  it('ok/two parts, PKCS#8 then certs-only, base64 on one line each, CRLF, closing boundary', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const p7 = Buffer.from('3003020101', 'hex');
    const { contentType, body } = serverKeygenBody(privateKey, p7);
    const boundary = /^multipart\/mixed; boundary=(signet-est-[0-9a-f]{24})$/.exec(contentType)![1];
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    expect(body).toBe(
      `--${boundary}\r\nContent-Type: application/pkcs8\r\nContent-Transfer-Encoding: base64\r\n\r\n${pkcs8}\r\n` +
        `--${boundary}\r\nContent-Type: application/pkcs7-mime; smime-type=certs-only\r\nContent-Transfer-Encoding: base64\r\n\r\n${p7.toString('base64')}\r\n` +
        `--${boundary}--\r\n`,
    );
  });
});

describe('SIGNET_EST_LABELS', () => {
  it.each<[string, string, [string, string][]]>([
    ['ok/empty', '', []],
    ['ok/several, labels lower-cased, spaces trimmed', 'default=WebServer, VPN = ClientAuth ,approval=CodeSigning', [['default', 'WebServer'], ['vpn', 'ClientAuth'], ['approval', 'CodeSigning']]],
  ])('%s', (_n, text, labels) => {
    expect(parseEstLabels(text)).toEqual({ labels: new Map(labels) });
  });

  it.each<[string, string]>([
    ['fail/no =', 'default'],
    ['fail/no template', 'vpn='],
    ['fail/a label with a slash', 'a/b=WebServer'],
    ['fail/twice', 'vpn=A,VPN=B'],
  ])('%s', (_n, text) => {
    expect(parseEstLabels(text)).toEqual({ problem: expect.any(String) });
    expect(() => loadEstConfig({ SIGNET_EST_LABELS: text })).toThrow('SIGNET_EST_LABELS');
  });

  it('ok/defaults; Retry-After bounds', () => {
    expect(loadEstConfig({})).toEqual({ labels: new Map(), retryAfterSeconds: 60 });
    expect(loadEstConfig({ SIGNET_EST_RETRY_AFTER_SECONDS: '5' }).retryAfterSeconds).toBe(5);
    expect(() => loadEstConfig({ SIGNET_EST_RETRY_AFTER_SECONDS: '0' })).toThrow('SIGNET_EST_RETRY_AFTER_SECONDS');
  });
});

describe('channel binding (RFC 7030 §3.5)', () => {
  const finished = Buffer.from('0102030405060708090a0b0c', 'hex');
  const binding = { type: 'tls-unique' as const, value: finished };

  it('ok/no challengePassword: nothing to check', () => {
    expect(() => checkChannelBinding(undefined, binding)).not.toThrow();
    expect(() => checkChannelBinding(undefined, undefined)).not.toThrow();
  });

  it('ok/the base64 of the binding', () => {
    expect(() => checkChannelBinding(finished.toString('base64'), binding)).not.toThrow();
  });

  it.each<[string, string, typeof binding | undefined]>([
    ['fail/another value', Buffer.from('ffff', 'hex').toString('base64'), binding],
    ['fail/hex instead of base64', finished.toString('hex'), binding],
    ['fail/a password but no TLS binding', 'secret', undefined],
  ])('%s: 401 with reason channel-binding', (_n, password, b) => {
    expect(() => checkChannelBinding(password, b)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED', details: { reason: 'channel-binding' } }));
  });

  it.each<[string, Partial<TLSSocket>, { type: string; value: string } | undefined]>([
    ['TLS 1.2 full handshake: the client Finished', { getProtocol: () => 'TLSv1.2', isSessionReused: () => false, getPeerFinished: () => Buffer.from('c1', 'hex'), getFinished: () => Buffer.from('5e', 'hex') }, { type: 'tls-unique', value: 'c1' }],
    ['TLS 1.2 resumed: the server Finished', { getProtocol: () => 'TLSv1.2', isSessionReused: () => true, getPeerFinished: () => Buffer.from('c1', 'hex'), getFinished: () => Buffer.from('5e', 'hex') }, { type: 'tls-unique', value: '5e' }],
    ['TLS 1.3: tls-exporter', { getProtocol: () => 'TLSv1.3', exportKeyingMaterial: (n: number, label: string) => Buffer.alloc(n, label === 'EXPORTER-Channel-Binding' ? 0xee : 0) }, { type: 'tls-exporter', value: 'ee'.repeat(32) }],
    ['no handshake finished', { getProtocol: () => 'TLSv1.2', isSessionReused: () => false, getPeerFinished: () => undefined }, undefined],
  ])('channelBindingOf: %s', (_n, socket, expected) => {
    const b = channelBindingOf(socket as TLSSocket);
    expect(b && { type: b.type, value: b.value.toString('hex') }).toEqual(expected);
  });
});
