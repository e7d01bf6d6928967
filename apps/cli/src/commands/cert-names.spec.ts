import { dnsNameProblem } from '@signet/x509';
import { defaultTemplate, fileStem, isLocal, parseNames, subjectFor, type CertName } from './cert-names';

const dns = (value: string): CertName => ({ type: 'dns', value });
const ip = (value: string): CertName => ({ type: 'ip', value });

describe('signet cert: names', () => {
  it.each<[string, string[], CertName[]]>([
    ['ok/localhost and both loopback addresses', ['localhost', '127.0.0.1', '::1'], [dns('localhost'), ip('127.0.0.1'), ip('::1')]],
    ['ok/a DNS name and a wildcard', ['www.example.com', '*.example.com'], [dns('www.example.com'), dns('*.example.com')]],
    ['ok/duplicates left out, ignoring case', ['localhost', 'LOCALHOST', '127.0.0.1', '127.0.0.1'], [dns('localhost'), ip('127.0.0.1')]],
    ['ok/full IPv6', ['0:0:0:0:0:0:0:1'], [ip('0:0:0:0:0:0:0:1')]],
  ])('%s', (_n, args, names) => {
    expect(parseNames(args, dnsNameProblem)).toEqual(names);
  });

  it.each<[string, string, string]>([
    ['fail/a URL', 'https://example.com', 'has an invalid label "https://example"'],
    ['fail/a trailing dot', 'localhost.', 'ends with a dot'],
    ['fail/an underscore', 'my_host', 'has an invalid label "my_host"'],
    ['fail/an address with a zone', 'fe80::1%eth0', 'an address with a zone (%...) cannot be in a certificate'],
  ])('%s', (_n, arg, problem) => {
    expect(() => parseNames([arg], dnsNameProblem)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining(problem) }));
  });

  it.each<[string, CertName, boolean]>([
    ['ok/localhost', dns('localhost'), true],
    ['ok/LocalHost', dns('LocalHost'), true],
    ['ok/below localhost', dns('app.localhost'), true],
    ['ok/127.0.0.1', ip('127.0.0.1'), true],
    ['ok/127.1.2.3', ip('127.1.2.3'), true],
    ['ok/::1 written out', ip('0:0:0:0:0:0:0:1'), true],
    ['fail/localhost as a label of another name', dns('localhost.example.com'), false],
    ['fail/a name ending in localhost', dns('notlocalhost'), false],
    ['fail/a LAN address', ip('192.168.1.2'), false],
    ['fail/the unspecified address', ip('::'), false],
    ['fail/IPv4-mapped loopback', ip('::ffff:127.0.0.1'), false],
  ])('isLocal %s', (_n, name, local) => {
    expect(isLocal(name)).toBe(local);
  });

  it.each<[string, CertName[], string]>([
    ['ok/every name local → Development', [dns('localhost'), ip('127.0.0.1'), ip('::1')], 'Development'],
    ['ok/one public name → WebServer', [dns('localhost'), dns('www.example.com')], 'WebServer'],
    ['ok/a LAN address → WebServer', [ip('192.168.1.2')], 'WebServer'],
  ])('template %s', (_n, names, template) => {
    expect(defaultTemplate(names)).toBe(template);
  });

  it.each<[string, CertName[], string]>([
    ['ok/a DNS name', [dns('LocalHost'), ip('::1')], 'localhost'],
    ['ok/a wildcard', [dns('*.example.com')], '_.example.com'],
    ['ok/an IPv6 address', [ip('::1')], '__1'],
  ])('file stem %s', (_n, names, stem) => {
    expect(fileStem(names)).toBe(stem);
  });

  it.each<[string, CertName[], { type: string; value: string }[]]>([
    ['ok/CN is the first DNS name', [ip('127.0.0.1'), dns('localhost'), dns('app.localhost')], [{ type: 'CN', value: 'localhost' }]],
    ['ok/addresses only: empty subject', [ip('127.0.0.1')], []],
    ['ok/a DNS name too long for a CN: empty subject', [dns(`${'a'.repeat(60)}.example.com`)], []],
  ])('subject %s', (_n, names, subject) => {
    expect(subjectFor(names)).toEqual(subject);
  });
});
