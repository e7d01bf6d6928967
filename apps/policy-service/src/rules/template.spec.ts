import { policyFrom, shippedPolicy, verifyRequest } from '../testing/fixtures';
import { resolveTemplate } from './template';

describe('rule template.known', () => {
  const shipped = shippedPolicy();
  const withDefault = policyFrom({ ...structuredClone(shipped), defaultTemplate: 'ClientAuth' } as never);

  it.each([
    ['ok/the attribute names it', shipped, { certificatetemplate: 'WebServer' }, null, 'WebServer'],
    ['ok/names match without case', shipped, { certificatetemplate: 'webserver' }, null, 'WebServer'],
    ['ok/the attribute is trimmed', shipped, { certificatetemplate: ' CodeSigning ' }, null, 'CodeSigning'],
    ['ok/the earlier pass decided it', shipped, {}, 'CodeSigning', 'CodeSigning'],
    ['ok/the attribute wins over an earlier pass (an admin changed it)', shipped, { certificatetemplate: 'WebServer' }, 'CodeSigning', 'WebServer'],
    ['ok/defaultTemplate when nothing else says', withDefault, {}, null, 'ClientAuth'],
  ])('%s', (_n, policy, attributes, earlier, expected) => {
    const r = resolveTemplate(verifyRequest({ attributes, certificate: { template: earlier } }), policy);
    expect(r).toMatchObject({ ok: true, name: expected });
  });

  it.each([
    ['fail/no template and no default', {}, '', /no certificate template requested.*offers WebServer, ClientAuth, CodeSigning/],
    ['fail/unknown template', { certificatetemplate: 'DomainController' }, 'DomainController', /DomainController is not offered/],
    ['fail/blank attribute', { certificatetemplate: '  ' }, '', /no certificate template requested/],
  ])('%s', (_n, attributes, value, message) => {
    const r = resolveTemplate(verifyRequest({ attributes }), shipped);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.denial).toMatchObject({ rule: 'template.known', field: 'CertificateTemplate', value });
    expect(r.denial.message).toMatch(message);
  });
});
