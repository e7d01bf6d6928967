import { servedOverPlainHttp } from './api-over-https';

describe('servedOverPlainHttp (the API is HTTPS only)', () => {
  it.each(['/crl/issuing-1.crl', '/crl/issuing-1+.crl?format=pem', '/ocsp/issuing-1', '/ocsp/issuing-1/MEow', '/ca/issuing-1.crt', '/healthz', '/readyz', '/CRL/issuing-1.crl', '/scep?operation=GetCACaps', '/cgi-bin/pkiclient.exe?operation=PKIOperation', '/SCEP'])('ok/%s', (url) => {
    expect(servedOverPlainHttp(url)).toBe(true);
  });

  it.each(['/api/v1/cas', '/API/v1/cas', '/Api/v1/requests', '/api/v1/openapi.json', '/', '/healthz/x', '/cas', '//api/v1/cas', '/scep/x', '/cgi-bin/other.exe', '/acme/directory', '/ACME/new-order'])('fail/%s', (url) => {
    expect(servedOverPlainHttp(url)).toBe(false);
  });
});
