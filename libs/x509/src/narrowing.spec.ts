import { OID } from './oids';
import { encodeBasicConstraints, encodeExtKeyUsage, encodeKeyUsage, encodeSubjectAltName, type KeyUsageName } from './extensions';
import { caPowers, extensionWidening, type ExtensionSetting } from './narrowing';

const ku = (u: KeyUsageName[], critical = true): ExtensionSetting => ({ critical, value: encodeKeyUsage(u) });
const eku = (p: string[], critical = false): ExtensionSetting => ({ critical, value: encodeExtKeyUsage(p) });
const bc = (ca: boolean, pathLength?: number, critical = true): ExtensionSetting => ({ critical, value: encodeBasicConstraints({ ca, pathLength }) });
const dns = (...names: string[]): ExtensionSetting => ({ critical: false, value: encodeSubjectAltName(names.map((value) => ({ type: 'dns', value }))) });
const off = (e: ExtensionSetting): ExtensionSetting => ({ ...e, disabled: true });

describe('extensionWidening: an administrator may narrow what the template sets, never widen it', () => {
  it.each<[string, string, ExtensionSetting | undefined, ExtensionSetting]>([
    ['ok/keyUsage: the same usages', OID.keyUsage, ku(['digitalSignature']), ku(['digitalSignature'])],
    ['ok/keyUsage: one usage removed', OID.keyUsage, ku(['digitalSignature', 'keyEncipherment']), ku(['digitalSignature'])],
    ['ok/keyUsage: made critical', OID.keyUsage, ku(['digitalSignature'], false), ku(['digitalSignature'], true)],
    ['ok/keyUsage: the template sets none, an end-entity usage narrows "any"', OID.keyUsage, undefined, ku(['digitalSignature'])],
    ['ok/keyUsage: disabled when the template sets none', OID.keyUsage, undefined, off(ku(['digitalSignature']))],
    ['ok/extKeyUsage: one purpose removed', OID.extKeyUsage, eku([OID.serverAuth, OID.clientAuth]), eku([OID.clientAuth])],
    ['ok/extKeyUsage: the template sets none (any purpose)', OID.extKeyUsage, undefined, eku([OID.codeSigning])],
    ['ok/extKeyUsage: anyExtendedKeyUsage when the template has it', OID.extKeyUsage, eku([OID.anyExtendedKeyUsage]), eku([OID.anyExtendedKeyUsage])],
    ['ok/basicConstraints: cA FALSE on a leaf', OID.basicConstraints, bc(false), bc(false)],
    ['ok/basicConstraints: disabled on a leaf', OID.basicConstraints, bc(false), off(bc(false))],
    ['ok/basicConstraints: the template sets none, cA FALSE', OID.basicConstraints, undefined, bc(false)],
    ['ok/basicConstraints: a CA template, shorter path', OID.basicConstraints, bc(true, 2), bc(true, 1)],
    ['ok/basicConstraints: a CA template without limit, any path', OID.basicConstraints, bc(true), bc(true, 5)],
    ['ok/basicConstraints: a CA template, made an end entity', OID.basicConstraints, bc(true, 0), bc(false)],
    ['ok/subjectAltName: one name removed', OID.subjectAltName, dns('a.example.com', 'b.example.com'), dns('b.example.com')],
    ['ok/subjectAltName: case of a DNS name', OID.subjectAltName, dns('a.example.com'), dns('A.Example.com')],
    ['ok/subjectAltName: disabled', OID.subjectAltName, dns('a.example.com'), off(dns('a.example.com'))],
    ['ok/a disabled template extension bounds nothing', OID.extKeyUsage, off(eku([OID.serverAuth])), eku([OID.clientAuth])],
    ['ok/an OID the function does not judge', OID.certificatePolicies, undefined, { critical: false, value: Buffer.from('3000', 'hex') }],
  ])('%s', (_n, oid, bound, edit) => {
    expect(extensionWidening(oid, bound, edit)).toBeUndefined();
  });

  it.each<[string, string, ExtensionSetting | undefined, ExtensionSetting, string]>([
    ['fail/keyUsage: keyCertSign added', OID.keyUsage, ku(['digitalSignature']), ku(['digitalSignature', 'keyCertSign', 'cRLSign']), 'adds keyCertSign, cRLSign; the template allows digitalSignature'],
    ['fail/keyUsage: keyEncipherment added', OID.keyUsage, ku(['digitalSignature']), ku(['keyEncipherment']), 'adds keyEncipherment; the template allows digitalSignature'],
    ['fail/keyUsage: keyCertSign when the template sets none', OID.keyUsage, undefined, ku(['keyCertSign']), 'adds keyCertSign, which only a CA template allows'],
    ['fail/keyUsage: disabled', OID.keyUsage, ku(['digitalSignature']), off(ku(['digitalSignature'])), 'disables keyUsage, which the template limits to digitalSignature'],
    ['fail/keyUsage: made non-critical', OID.keyUsage, ku(['digitalSignature']), ku(['digitalSignature'], false), 'makes keyUsage non-critical, which the template marks critical'],
    ['fail/extKeyUsage: disabled', OID.extKeyUsage, eku([OID.codeSigning]), off(eku([OID.codeSigning])), 'disables extKeyUsage, which the template limits to codeSigning: the key would be good for any purpose'],
    ['fail/extKeyUsage: anyExtendedKeyUsage', OID.extKeyUsage, eku([OID.codeSigning]), eku([OID.anyExtendedKeyUsage]), 'adds anyExtendedKeyUsage; the template allows codeSigning'],
    ['fail/extKeyUsage: replaced', OID.extKeyUsage, eku([OID.serverAuth]), eku([OID.clientAuth]), 'adds clientAuth; the template allows serverAuth'],
    ['fail/extKeyUsage: a private purpose', OID.extKeyUsage, eku([OID.codeSigning]), eku([OID.codeSigning, '1.3.6.1.4.1.311.20.2.1']), 'adds 1.3.6.1.4.1.311.20.2.1; the template allows codeSigning'],
    ['fail/basicConstraints: cA TRUE on a leaf', OID.basicConstraints, bc(false), bc(true), 'sets cA TRUE, which only a CA template allows'],
    ['fail/basicConstraints: cA TRUE when the template sets none', OID.basicConstraints, undefined, bc(true, 0), 'sets cA TRUE, which only a CA template allows'],
    ['fail/basicConstraints: longer path', OID.basicConstraints, bc(true, 0), bc(true, 1), "lengthens the path length beyond the template's 0"],
    ['fail/basicConstraints: path limit removed', OID.basicConstraints, bc(true, 0), bc(true), "lengthens the path length beyond the template's 0"],
    ['fail/subjectAltName: a name added', OID.subjectAltName, dns('a.example.com'), dns('a.example.com', 'www.bank.com'), 'adds dns:www.bank.com, which the template does not give this request'],
    ['fail/subjectAltName: the template sets none', OID.subjectAltName, undefined, dns('www.bank.com'), 'adds dns:www.bank.com; the template gives this certificate no subjectAltName'],
    ['fail/undecodable value', OID.keyUsage, ku(['digitalSignature']), { critical: true, value: Buffer.from('0500', 'hex') }, 'cannot be decoded'],
  ])('%s', (_n, oid, bound, edit, problem) => {
    expect(extensionWidening(oid, bound, edit)).toEqual(expect.stringContaining(problem));
  });
});

describe('caPowers', () => {
  it.each<[string, string, ExtensionSetting, string[]]>([
    ['cA TRUE with a path length', OID.basicConstraints, bc(true, 0), ['cA TRUE', 'pathLenConstraint']],
    ['cA TRUE', OID.basicConstraints, bc(true), ['cA TRUE']],
    ['cA FALSE', OID.basicConstraints, bc(false), []],
    ['keyCertSign and cRLSign', OID.keyUsage, ku(['digitalSignature', 'keyCertSign', 'cRLSign']), ['keyCertSign', 'cRLSign']],
    ['an end-entity usage', OID.keyUsage, ku(['digitalSignature']), []],
    ['a disabled CA extension', OID.basicConstraints, off(bc(true)), []],
    ['another extension', OID.extKeyUsage, eku([OID.anyExtendedKeyUsage]), []],
    ['an undecodable value (lint reports it)', OID.basicConstraints, { critical: true, value: Buffer.from('0500', 'hex') }, []],
  ])('%s', (_n, oid, ext, powers) => {
    expect(caPowers(oid, ext)).toEqual(powers);
  });
});
