import { ConfigError } from '@signet/config';
import { ScratchDir } from '@signet/testing';
import { OID } from '@signet/x509';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SHIPPED_POLICY_PATH, shippedPolicy } from '../testing/fixtures';
import { formatOf, loadPolicyFile, parsePolicyText } from './policy-file';

describe('the shipped config/policy.yaml', () => {
  const policy = shippedPolicy();

  it('loads with the documented AD CS defaults', () => {
    expect(policy).toMatchObject({ dispositionMode: 'template', honourDispositionAttribute: false, allowSanAttribute: false });
    expect(policy.defaultTemplate).toBeUndefined();
    expect(Object.keys(policy.templates)).toEqual(['WebServer', 'ClientAuth', 'CodeSigning', 'Development', 'SignetService', 'SignetScepRa']);
  });

  const AUTHENTICATED = ['tls-client-certificate', 'enrollment-token', 'oidc', 'enrollment-secret', 'bus', 'acme-account'];
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['WebServer: authenticated methods and anonymous pending; names from the request, unproven pend', { methods: AUTHENTICATED, principals: [], groups: [], anonymous: 'pend' }, { from: 'request', unproven: 'pend' }],
    ['ClientAuth: credentials of their own only; names from the identity', { methods: ['tls-client-certificate', 'enrollment-token', 'enrollment-secret', 'oidc'], principals: [], groups: [] }, { from: 'identity', requireMatch: false }],
    ['CodeSigning: authenticated and anonymous, all approved anyway; unproven subject names denied', { methods: AUTHENTICATED, principals: [], groups: [], anonymous: 'pend' }, { from: 'request', unproven: 'deny' }],
    ['Development: anonymous issued at once; loopback names unproven', { methods: AUTHENTICATED, principals: [], groups: [], anonymous: 'issue' }, { from: 'request', unproven: 'allow' }],
    ['SignetService: the intermediary only; proven names only', { methods: [], principals: ['service:intermediary'], groups: [] }, { from: 'request', unproven: 'deny' }],
  ])('%s', (name, enroll, names) => {
    const t = policy.templates[name.split(':')[0]];
    expect(t.enroll).toEqual(enroll);
    expect(t.names).toEqual(names);
  });

  it('only Development takes names unproven, and only loopback ones', () => {
    const allow = Object.entries(policy.templates).filter(([, t]) => t.names.from === 'request' && t.names.unproven === 'allow');
    expect(allow.map(([n]) => n)).toEqual(['Development']);
    expect(Object.keys(policy.templates.Development.san).sort()).toEqual(['dns', 'ip']);
  });

  it('SignetService: serverAuth, 30 days, approval not needed', () => {
    const t = policy.templates.SignetService;
    expect(t.extKeyUsage).toEqual([OID.serverAuth]);
    expect(t.validityDays).toBe(30);
    expect(t.requiresApproval).toBe(false);
    expect(t.subject).toEqual({ mode: 'cn-from-san' });
  });

  it('SignetScepRa: the intermediary alone, RSA only, digitalSignature + keyEncipherment, no EKU, 30 days', () => {
    const t = policy.templates.SignetScepRa;
    expect(t.enroll).toMatchObject({ principals: ['service:intermediary'] });
    expect(t.keys).toEqual([expect.objectContaining({ algorithm: 'rsa', minBits: 2048 })]);
    expect(t.extKeyUsage).toEqual([]);
    expect(t.validityDays).toBe(30);
    expect(t.requiresApproval).toBe(false);
  });

  it('WebServer: serverAuth, RSA-only keyEncipherment, DNS required, 90 days, no Ed25519', () => {
    const t = policy.templates.WebServer;
    expect(t.extKeyUsage).toEqual([OID.serverAuth]);
    expect(t.keyUsage).toEqual([{ usage: 'digitalSignature' }, { usage: 'keyEncipherment', keys: ['rsa'] }]);
    expect(t.san.dns).toMatchObject({ domains: ['example.com', 'example.org', 'example.net', 'localhost.test'], min: 1, allowWildcard: false });
    expect(t.subject).toEqual({ mode: 'cn-from-san' });
    expect(t.validityDays).toBe(90);
    expect(t.keys.map((k) => k.algorithm)).toEqual(['rsa', 'ec']);
    expect(t.requiresApproval).toBe(false);
  });

  it('Development: serverAuth for localhost (listed), names below it and the loopback ranges only', () => {
    const t = policy.templates.Development;
    expect(t.extKeyUsage).toEqual([OID.serverAuth]);
    expect(t.san.dns).toMatchObject({ names: ['localhost'], domains: ['localhost'], min: 0, allowWildcard: false });
    expect(t.san.ip).toMatchObject({ ranges: ['127.0.0.0/8', '::1/128'], min: 0 });
    expect(Object.keys(t.san).sort()).toEqual(['dns', 'ip']);
    expect(t.requiresApproval).toBe(false);
  });

  it('SignetService: serverAuth for the intermediary itself, localhost and loopback only, 30 days, no approval', () => {
    const t = policy.templates.SignetService;
    expect(t.extKeyUsage).toEqual([OID.serverAuth]);
    expect(t.san.dns).toMatchObject({ names: ['localhost'], domains: ['localhost'], allowWildcard: false });
    expect(t.san.ip).toMatchObject({ ranges: ['127.0.0.0/8', '::1/128'] });
    expect(Object.keys(t.san).sort()).toEqual(['dns', 'ip']);
    expect(t.validityDays).toBe(30);
    expect(t.requiresApproval).toBe(false);
  });

  it('CodeSigning requires approval, RSA 3072, CN and O', () => {
    const t = policy.templates.CodeSigning;
    expect(t.requiresApproval).toBe(true);
    expect(t.keys[0]).toEqual({ algorithm: 'rsa', minBits: 3072 });
    expect(t.subject).toMatchObject({ mode: 'request', required: ['CN', 'O'] });
  });

  it('ClientAuth builds CN, O, OU, E and email/UPN names (from the identity)', () => {
    const t = policy.templates.ClientAuth;
    expect(t.subject).toMatchObject({ mode: 'request', allowed: ['CN', 'O', 'OU', 'E'] });
    expect(Object.keys(t.san).sort()).toEqual(['email', 'upn']);
    expect(t.validityDays).toBe(365);
  });
});

/** A minimal valid policy, as a plain object the cases below break one field at a time. */
function base(): Record<string, any> {
  return {
    dispositionMode: 'template',
    templates: {
      WebServer: {
        enroll: { methods: ['tls-client-certificate', 'enrollment-token'], principals: ['bus:signet-intermediary'], groups: ['web-admins'] },
        names: { from: 'request', unproven: 'deny' },
        keys: [{ algorithm: 'rsa', minBits: 2048 }, { algorithm: 'ec', curves: ['P-256'] }],
        subject: { mode: 'cn-from-san' },
        san: { dns: { domains: ['example.com'], min: 1 } },
        validityDays: 90,
        keyUsage: ['digitalSignature', { usage: 'keyEncipherment', keys: ['rsa'] }],
        extKeyUsage: ['serverAuth'],
      },
    },
  };
}

function problemsOf(mutate: (p: Record<string, any>) => void): string[] {
  const p = base();
  mutate(p);
  try {
    parsePolicyText(stringify(p), 'yaml', 'test.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected the policy to be refused');
}

describe('policy file validation', () => {
  it('ok/the minimal policy', () => {
    expect(parsePolicyText(stringify(base()), 'yaml', 'x.yaml').templates.WebServer.validityDays).toBe(90);
  });

  it('ok/a validated policy validates again unchanged (it can be re-serialised)', () => {
    const once = shippedPolicy();
    expect(parsePolicyText(JSON.stringify(once), 'json', 'again.json')).toEqual(once);
  });

  it('ok/adminExtensions: private extensions an officer may add; none by default', () => {
    expect(parsePolicyText(stringify(base()), 'yaml', 'x.yaml').templates.WebServer.adminExtensions).toEqual([]);
    const p = base();
    p.templates.WebServer.adminExtensions = ['1.3.6.1.4.1.55555.1.1', OID.certificatePolicies];
    expect(parsePolicyText(stringify(p), 'yaml', 'x.yaml').templates.WebServer.adminExtensions).toEqual(['1.3.6.1.4.1.55555.1.1', OID.certificatePolicies]);
  });

  it('ok/enroll and names as written, lists defaulting to empty', () => {
    const t = parsePolicyText(stringify(base()), 'yaml', 'x.yaml').templates.WebServer;
    expect(t.enroll).toEqual({ methods: ['tls-client-certificate', 'enrollment-token'], principals: ['bus:signet-intermediary'], groups: ['web-admins'] });
    expect(t.names).toEqual({ from: 'request', unproven: 'deny' });
    const p = base();
    p.templates.WebServer.enroll = { anonymous: 'pend' };
    p.templates.WebServer.names = { from: 'request', unproven: 'pend' };
    expect(parsePolicyText(stringify(p), 'yaml', 'x.yaml').templates.WebServer.enroll).toEqual({ methods: [], principals: [], groups: [], anonymous: 'pend' });
    p.templates.WebServer.enroll = { groups: ['pki-users'] };
    p.templates.WebServer.names = { from: 'identity' };
    expect(parsePolicyText(stringify(p), 'yaml', 'x.yaml').templates.WebServer.names).toEqual({ from: 'identity', requireMatch: false });
  });

  it('ok/JSON', () => {
    expect(parsePolicyText(JSON.stringify(base()), 'json', 'x.json').dispositionMode).toBe('template');
  });

  it.each<[string, (p: Record<string, any>) => void, string]>([
    ['fail/validity too long', (p) => (p.templates.WebServer.validityDays = 5000), 'templates.WebServer.validityDays: must be ≤ 3650'],
    ['fail/validity zero', (p) => (p.templates.WebServer.validityDays = 0), 'templates.WebServer.validityDays: must be ≥ 1'],
    ['fail/validity missing', (p) => delete p.templates.WebServer.validityDays, 'templates.WebServer.validityDays: is required'],
    ['fail/validity a string', (p) => (p.templates.WebServer.validityDays = 'ninety'), 'templates.WebServer.validityDays: must be a number'],
    ['fail/misspelt key', (p) => (p.templates.WebServer.validityDay = 3), 'templates.WebServer: unknown key "validityDay"'],
    ['fail/RSA below 2048', (p) => (p.templates.WebServer.keys[0].minBits = 1024), 'templates.WebServer.keys[0].minBits: must be ≥ 2048'],
    ['fail/unknown key algorithm', (p) => (p.templates.WebServer.keys[1] = { algorithm: 'dsa' }), 'templates.WebServer.keys[1].algorithm: must be one of "rsa", "ec", "ed25519", "ed448"'],
    ['fail/unknown curve', (p) => (p.templates.WebServer.keys[1].curves = ['secp256k1']), 'templates.WebServer.keys[1].curves[0]: must be one of'],
    ['fail/keyEncipherment for EC', (p) => (p.templates.WebServer.keyUsage = ['digitalSignature', 'keyEncipherment']), 'templates.WebServer.keyUsage[1]: keyEncipherment is invalid for ec keys'],
    ['fail/unknown key usage', (p) => (p.templates.WebServer.keyUsage = ['digitalSigning']), 'templates.WebServer.keyUsage[0]: must be one of "digitalSignature"'],
    ['fail/unknown key usage in an object', (p) => (p.templates.WebServer.keyUsage = [{ usage: 'encrypt', keys: ['rsa'] }]), 'templates.WebServer.keyUsage[0]: usage: must be one of'],
    ['fail/unknown EKU name', (p) => (p.templates.WebServer.extKeyUsage = ['webServer']), 'templates.WebServer.extKeyUsage[0]: must be one of serverAuth'],
    ['fail/bad domain', (p) => (p.templates.WebServer.san.dns.domains = ['exa mple.com']), 'templates.WebServer.san.dns.domains[0]: domain "exa mple.com"'],
    ['fail/wildcard as domain', (p) => (p.templates.WebServer.san.dns.domains = ['*.example.com']), 'templates.WebServer.san.dns.domains[0]'],
    ['fail/no domains nor names', (p) => (p.templates.WebServer.san.dns = {}), 'templates.WebServer.san.dns.domains: list at least one domain or name'],
    ['fail/bad CIDR', (p) => (p.templates.WebServer.san.ip = { ranges: ['10.0.0.0/40'] }), 'templates.WebServer.san.ip.ranges[0]: must be a CIDR range'],
    ['fail/cn-from-san without dns', (p) => (p.templates.WebServer.san = { ip: { ranges: ['192.0.2.0/24'] } }), 'templates.WebServer.subject.mode: cn-from-san needs san.dns'],
    ['fail/serverAuth without dns or ip', (p) => {
      p.templates.WebServer.subject = { mode: 'request', allowed: ['CN'] };
      p.templates.WebServer.san = { email: { domains: ['example.com'] } };
    }, 'templates.WebServer.san: serverAuth certificates need DNS or IP names'],
    ['fail/unknown subject mode', (p) => (p.templates.WebServer.subject = { mode: 'copy' }), 'templates.WebServer.subject.mode: must be one of "request", "cn-from-san", "fixed"'],
    ['fail/unknown subject attribute', (p) => (p.templates.WebServer.subject = { mode: 'request', allowed: ['CN', 'Nickname'] }), 'templates.WebServer.subject.allowed[1]: unknown attribute type "Nickname"'],
    ['fail/required not allowed', (p) => (p.templates.WebServer.subject = { mode: 'request', allowed: ['CN'], required: ['O'] }), 'templates.WebServer.subject.required[0]: O is required but not in subject.allowed'],
    ['fail/validity attribute without a maximum', (p) => (p.templates.WebServer.allowValidityAttribute = true), 'templates.WebServer.maxValidityDays: is required when allowValidityAttribute is true'],
    ['fail/maximum below the default', (p) => (p.templates.WebServer.maxValidityDays = 30), 'templates.WebServer.maxValidityDays: must be ≥ validityDays (90)'],
    ['fail/CA certificates', (p) => (p.templates.WebServer.basicConstraints = { ca: true }), 'templates.WebServer.basicConstraints.ca: must be false'],
    ['fail/keyCertSign on a leaf template', (p) => p.templates.WebServer.keyUsage.push('keyCertSign'), "templates.WebServer.keyUsage[2]: keyCertSign is for CA certificates; this policy module's templates are leaf templates"],
    ['fail/cRLSign on a leaf template', (p) => (p.templates.WebServer.keyUsage = [{ usage: 'cRLSign', keys: ['rsa'] }]), 'templates.WebServer.keyUsage[0]: cRLSign is for CA certificates'],
    ['fail/adminExtensions: a bounded extension', (p) => (p.templates.WebServer.adminExtensions = [OID.extKeyUsage]), `templates.WebServer.adminExtensions[0]: ${OID.extKeyUsage}: extKeyUsage is bounded by the template's own extKeyUsage`],
    ['fail/adminExtensions: basicConstraints', (p) => (p.templates.WebServer.adminExtensions = ['1.3.6.1.4.1.55555.1', OID.basicConstraints]), `templates.WebServer.adminExtensions[1]: ${OID.basicConstraints}: basicConstraints is bounded`],
    ['fail/adminExtensions: a CA-only extension', (p) => (p.templates.WebServer.adminExtensions = [OID.nameConstraints]), 'nameConstraints belongs in CA certificates only'],
    ['fail/adminExtensions: a key identifier', (p) => (p.templates.WebServer.adminExtensions = [OID.authorityKeyIdentifier]), 'authorityKeyIdentifier is set by the CA'],
    ['fail/adminExtensions: not an OID', (p) => (p.templates.WebServer.adminExtensions = ['ticket']), 'templates.WebServer.adminExtensions[0]: must be a dotted OID'],
    ['fail/enroll missing', (p) => delete p.templates.WebServer.enroll, 'templates.WebServer.enroll: is required'],
    ['fail/enroll admits nobody', (p) => (p.templates.WebServer.enroll = { methods: [] }), 'templates.WebServer.enroll: admits nobody: list methods, principals or groups, or set anonymous'],
    ['fail/unknown method', (p) => (p.templates.WebServer.enroll.methods = ['kerberos']), 'templates.WebServer.enroll.methods[0]: unknown method "kerberos" (use tls-client-certificate, enrollment-token, oidc, enrollment-secret, bus, acme-account, service)'],
    ['fail/anonymous as a method', (p) => (p.templates.WebServer.enroll.methods = ['anonymous']), 'templates.WebServer.enroll.methods[0]: anonymous is not listed among methods: write enroll.anonymous: pend (or issue)'],
    ['fail/a principal without its method', (p) => (p.templates.WebServer.enroll.principals = ['deployer']), 'templates.WebServer.enroll.principals[0]: "deployer" must be <method>:<principal>'],
    ['fail/a principal of an unknown method', (p) => (p.templates.WebServer.enroll.principals = ['ldap:alice']), 'templates.WebServer.enroll.principals[0]: "ldap:alice" must be <method>:<principal>'],
    ['fail/anonymous as a principal', (p) => (p.templates.WebServer.enroll.principals = ['anonymous:anonymous']), 'templates.WebServer.enroll.principals[0]'],
    ['fail/anonymous: yes', (p) => (p.templates.WebServer.enroll.anonymous = 'yes'), 'templates.WebServer.enroll.anonymous: must be one of "pend", "issue"'],
    ['fail/misspelt enroll key', (p) => (p.templates.WebServer.enroll.method = ['oidc']), 'templates.WebServer.enroll: unknown key "method"'],
    ['fail/names missing', (p) => delete p.templates.WebServer.names, 'templates.WebServer.names: is required'],
    ['fail/unknown name source', (p) => (p.templates.WebServer.names = { from: 'csr' }), 'templates.WebServer.names.from: must be one of "identity", "request"'],
    ['fail/from request without unproven', (p) => (p.templates.WebServer.names = { from: 'request' }), 'templates.WebServer.names.unproven: must be one of "deny", "pend", "allow"'],
    ['fail/unknown unproven mode', (p) => (p.templates.WebServer.names.unproven = 'issue'), 'templates.WebServer.names.unproven: must be one of "deny", "pend", "allow"'],
    ['fail/requireMatch on from request', (p) => (p.templates.WebServer.names.requireMatch = true), 'templates.WebServer.names: unknown key "requireMatch"'],
    ['fail/unproven on from identity', (p) => (p.templates.WebServer.names = { from: 'identity', unproven: 'deny' }), 'templates.WebServer.names: unknown key "unproven"'],
    ['fail/from identity with no SAN type to build', (p) => {
      p.templates.WebServer.names = { from: 'identity' };
      p.templates.WebServer.subject = { mode: 'request', allowed: ['CN'] };
      p.templates.WebServer.extKeyUsage = ['clientAuth'];
      p.templates.WebServer.san = {};
    }, "templates.WebServer.names.from: identity builds the SANs from the identity's proven names, but san lists no name type to build"],
    ['fail/anonymous on a template built from the identity', (p) => {
      p.templates.WebServer.names = { from: 'identity' };
      p.templates.WebServer.enroll.anonymous = 'pend';
    }, 'templates.WebServer.enroll.anonymous: an anonymous requester proves no names, and names.from: identity builds the names from what the identity proved'],
    ['fail/anonymous: issue where unproven names pend', (p) => {
      p.templates.WebServer.names = { from: 'request', unproven: 'pend' };
      p.templates.WebServer.enroll.anonymous = 'issue';
    }, 'templates.WebServer.enroll.anonymous: issue cannot happen: an anonymous requester proves no names, so names.unproven: pend holds every name it asks for (use pend)'],
    ['fail/unknown disposition mode', (p) => (p.dispositionMode = 'issue-all'), 'dispositionMode: must be one of "template", "pend-all"'],
    ['fail/default template unknown', (p) => (p.defaultTemplate = 'User'), 'defaultTemplate: names no template (have: WebServer)'],
    ['fail/no templates', (p) => (p.templates = {}), 'templates: define at least one template'],
    ['fail/templates differing in case', (p) => (p.templates.webserver = p.templates.WebServer), 'templates.webserver: differs from template WebServer only in case'],
    ['fail/template name with a space', (p) => (p.templates['Web Server'] = p.templates.WebServer), 'templates.Web Server: invalid name'],
    ['fail/flag as a string', (p) => (p.allowSanAttribute = 'yes'), 'allowSanAttribute: must be a boolean'],
  ])('%s', (_n, mutate, expected) => {
    expect(problemsOf(mutate).join('\n')).toContain(expected);
  });

  it('fail/reports every problem at once', () => {
    const problems = problemsOf((p) => {
      p.templates.WebServer.validityDays = 5000;
      p.dispositionMode = 'nope';
    });
    expect(problems).toHaveLength(2);
  });

  it('fail/YAML syntax and duplicate keys', () => {
    expect(() => parsePolicyText('templates: [unclosed', 'yaml', 'bad.yaml')).toThrow(/bad.yaml: not valid YAML/);
    expect(() => parsePolicyText('dispositionMode: template\ndispositionMode: pend-all\n', 'yaml', 'dup.yaml')).toThrow(/dup.yaml: not valid YAML/);
  });

  it('fail/JSON syntax', () => {
    expect(() => parsePolicyText('{"templates":', 'json', 'bad.json')).toThrow(/bad.json: not valid JSON/);
  });
});

describe('loadPolicyFile', () => {
  const scratch = new ScratchDir('policy-');
  const dir = scratch.dir;
  afterAll(() => scratch.remove());

  it('ok/reads YAML and JSON by extension', () => {
    writeFileSync(join(dir, 'p.yml'), stringify(base()));
    writeFileSync(join(dir, 'p.json'), JSON.stringify(base()));
    expect(loadPolicyFile(join(dir, 'p.yml')).templates.WebServer).toBeDefined();
    expect(loadPolicyFile(join(dir, 'p.json')).templates.WebServer).toBeDefined();
  });

  it('fail/names the path of a bad file and the field', () => {
    const p = base();
    p.templates.WebServer.validityDays = 4000;
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, stringify(p));
    expect(() => loadPolicyFile(file)).toThrow(`policy file ${file} is invalid:\n  templates.WebServer.validityDays: must be ≤ 3650`);
  });

  it('fail/missing file', () => {
    expect(() => loadPolicyFile(join(dir, 'nope.yaml'))).toThrow(/nope.yaml: cannot read it \(ENOENT\)/);
  });

  it.each([
    ['ok/.yaml', 'a.yaml', 'yaml'],
    ['ok/.YML', 'a.YML', 'yaml'],
    ['ok/.json', 'a.json', 'json'],
  ])('formatOf %s', (_n, file, format) => {
    expect(formatOf(file)).toBe(format);
  });

  it('fail/formatOf an unknown extension', () => {
    expect(() => formatOf('policy.toml')).toThrow(/unknown extension ".toml"/);
  });

  it('finds the shipped file from the repository root', () => {
    expect(SHIPPED_POLICY_PATH.endsWith('config/policy.yaml')).toBe(true);
  });
});
