import { parsePropertyNames, pemText, wantsPem } from './cas.service';

describe('parsePropertyNames', () => {
  it.each([
    ['ok/absent → all', undefined, undefined],
    ['ok/empty → all', '', undefined],
    ['ok/comma list', 'CAName, Templates', ['CAName', 'Templates']],
    ['ok/repeated', ['CAName', 'CRLUrls'], ['CAName', 'CRLUrls']],
  ])('%s', (_n, input, expected) => {
    expect(parsePropertyNames(input)).toEqual(expected);
  });

  it.each([
    ['fail/unknown name', 'CAName,PrivateKey'],
    ['fail/wrong case', 'caname'],
    ['fail/too many', Array.from({ length: 33 }, () => 'CAName').join(',')],
  ])('%s', (_n, input) => {
    expect(() => parsePropertyNames(input)).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE', details: { field: 'names' } }));
  });
});

describe('wantsPem', () => {
  it.each([
    ['ok/default JSON', undefined, undefined, false],
    ['ok/format=pem', 'pem', undefined, true],
    ['ok/format wins over Accept', 'json', 'application/pem-certificate-chain', false],
    ['ok/Accept asks for PEM', undefined, 'application/pem-certificate-chain, application/json;q=0.5', true],
    ['ok/Accept anything', undefined, '*/*', false],
  ])('%s', (_n, format, accept, expected) => {
    expect(wantsPem(format, accept)).toBe(expected);
  });

  it('fail/unknown format', () => {
    expect(() => wantsPem('der', undefined)).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE' }));
  });
});

describe('pemText', () => {
  const cert = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----';
  const root = '-----BEGIN CERTIFICATE-----\nUk9PVA==\n-----END CERTIFICATE-----\n';
  it('ok/the certificate alone, newline-terminated', () => {
    expect(pemText({ ca: 'a', certificate: cert })).toBe(`${cert}\n`);
  });
  it('ok/the chain, which already starts with the CA certificate', () => {
    expect(pemText({ ca: 'a', certificate: cert, chain: [cert, root] })).toBe(`${cert}\n${root}`);
  });
});
