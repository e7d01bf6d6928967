import { BusClient } from '@signet/bus';
import { spawnSync } from 'node:child_process';
import { BusSubmit, Commands } from './support/bus';
import { opensslCsr } from './support/openssl';
import { Stack } from './support/stack';

// ADR 0023, with all five services, the shipped config/policy.yaml and the
// default configuration: administration cannot give a certificate powers its
// template does not allow, and ca-core enforces role separation itself.
const stack = new Stack();
const t: Record<'officer' | 'officer2' | 'dual', string> = {} as never;

beforeAll(async () => {
  await stack.start();
  await stack.adminReady();
  t.officer = stack.token('officer-esc', ['officer']).token;
  t.officer2 = stack.token('officer-two', ['officer']).token;
  t.dual = stack.token('dual-esc', ['officer', 'ca-admin']).token;
}, 180_000);
afterAll(() => stack.close(), 60_000);

const admin = (method: string, path: string, token: string, body?: unknown) => stack.admin(method, path, token, body);

// DER values (base64) an officer would send with `signet set-extension` or PUT .../extensions/{oid}.
const CA_TRUE = 'MAMBAf8='; // basicConstraints: SEQUENCE { BOOLEAN TRUE }
const CERT_SIGN = 'AwIBhg=='; // keyUsage: digitalSignature, keyCertSign, cRLSign
const CODE_SIGNING_EKU = 'MAoGCCsGAQUFBwMD'; // extKeyUsage: codeSigning
const OID = { basicConstraints: '2.5.29.19', keyUsage: '2.5.29.15', extKeyUsage: '2.5.29.37' };

/** A code-signing request: the shipped policy pends it for a certificate manager. */
async function pendingCodeSigning(cn: string): Promise<number> {
  const res = await stack.submit({ csr: opensslCsr({ key: 'ec-p256', subject: `/CN=${cn}/O=Example Corp` }), attributes: { CertificateTemplate: 'CodeSigning' } });
  expect(res.body).toMatchObject({ disposition: 'pending' });
  secrets.set(res.body.requestId, res.body.retrievalSecret);
  return res.body.requestId;
}
/** The retrieval secret each submit answered (ADR 0025): the enrollee's key to its request. */
const secrets = new Map<number, string>();

/** Every certificate this CA signed that says CA:TRUE, as openssl reads it. */
async function caCertificatesSigned(): Promise<string[]> {
  const rows = (await stack.db.query('SELECT serial, der FROM certificate')).rows as { serial: string; der: Buffer }[];
  return rows.filter((r) => /CA:TRUE/.test(spawnSync('openssl', ['x509', '-inform', 'DER', '-noout', '-text'], { input: r.der, encoding: 'utf8' }).stdout)).map((r) => r.serial);
}

describe('1. an officer cannot mint a subordinate CA (ESC7)', () => {
  it('set-extension refuses cA TRUE and keyCertSign at once, naming them; the disabled EKU is judged by the template at resubmit and denied', async () => {
    const id = await pendingCodeSigning('Release Signing');

    const ca = await admin('PUT', `/api/v1/requests/${id}/extensions/${OID.basicConstraints}`, t.officer, { critical: true, der: CA_TRUE });
    expect(ca).toMatchObject({ status: 400, body: { code: 'BAD_MESSAGE', details: { extension: 'basicConstraints', powers: ['cA TRUE'] } } });
    expect(ca.body.message).toBe(`basicConstraints with cA TRUE would make request ${id}'s certificate a CA certificate, which this CA never signs (SIGNET_ALLOW_SUBORDINATE_CA is off)`);
    const sign = await admin('PUT', `/api/v1/requests/${id}/extensions/${OID.keyUsage}`, t.officer, { critical: true, der: CERT_SIGN });
    expect(sign).toMatchObject({ status: 400, body: { code: 'BAD_MESSAGE', details: { extension: 'keyUsage', powers: ['keyCertSign', 'cRLSign'] } } });

    // Without its template ca-core cannot judge a disabled EKU; the policy does, on resubmit.
    expect((await admin('PUT', `/api/v1/requests/${id}/extensions/${OID.extKeyUsage}`, t.officer, { disabled: true, der: CODE_SIGNING_EKU })).status).toBe(200);
    const r = await admin('POST', `/api/v1/requests/${id}/resubmit`, t.officer);
    expect(r).toMatchObject({ status: 200, body: { requestId: id, disposition: 'denied', decidedBy: { rule: 'extension.admin', field: 'extensions.extKeyUsage' } } });
    expect(r.body.message).toBe(
      "the administrator's extKeyUsage extension disables extKeyUsage, which the template limits to codeSigning: the key would be good for any purpose (template CodeSigning)",
    );
    expect((await stack.retrieve(id, secrets.get(id))).body).toMatchObject({ disposition: 'denied' });
    expect((await stack.db.query('SELECT count(*)::int AS n FROM certificate WHERE request_id = $1', [id])).rows[0].n).toBe(0);
  });

  it('the whole ESC7 edit, stored as an older release accepted it, is denied at resubmit naming keyUsage, then the rest; no CA certificate is ever signed', async () => {
    const id = await pendingCodeSigning('Stored Before The Check');
    // What set-extension stored before it refused CA powers: cA TRUE, keyCertSign + cRLSign, the EKU disabled.
    for (const [oid, value, disabled] of [
      [OID.basicConstraints, CA_TRUE, false],
      [OID.keyUsage, CERT_SIGN, false],
      [OID.extKeyUsage, CODE_SIGNING_EKU, true],
    ] as const) {
      await stack.db.query(`INSERT INTO request_extension (request_id, oid, origin, critical, disabled, value) VALUES ($1, $2, 'admin', $3, $4, $5)`, [id, oid, oid !== OID.extKeyUsage, disabled, Buffer.from(value, 'base64')]);
    }
    const r = await admin('POST', `/api/v1/requests/${id}/resubmit`, t.officer);
    expect(r).toMatchObject({ status: 200, body: { disposition: 'denied', decidedBy: { rule: 'extension.admin', field: 'extensions.keyUsage', value: 'adds keyCertSign, cRLSign; the template allows digitalSignature' } } });
    expect(r.body.message).toContain("the administrator's keyUsage extension adds keyCertSign, cRLSign; the template allows digitalSignature (template CodeSigning) (and 2 more: ");
    expect(r.body.message).toContain("the administrator's basicConstraints extension sets cA TRUE, which only a CA template allows");
    expect(r.body.message).toContain("the administrator's extKeyUsage extension disables extKeyUsage");
    // Denied stays denied on every resubmit: a pending request's edits are the only way in, and this one is no longer pending.
    expect((await admin('POST', `/api/v1/requests/${id}/resubmit`, t.officer2)).body).toMatchObject({ disposition: 'denied', decidedBy: { rule: 'extension.admin' } });
    expect((await admin('PUT', `/api/v1/requests/${id}/extensions/${OID.basicConstraints}`, t.officer, { disabled: true, der: CA_TRUE })).status).toBe(409);
    expect((await stack.db.query('SELECT count(*)::int AS n FROM serial_reservation WHERE request_id = $1', [id])).rows[0].n).toBe(0);
    expect(await caCertificatesSigned()).toEqual([]);
  });
});

describe('2. ca-core enforces role separation itself', () => {
  it('with SIGNET_ROLE_SEPARATION on ca-core only, ca-core refuses a two-role caller that admin-api let through, and an officer approving their own request', async () => {
    const id = await pendingCodeSigning('Separated At The CA');
    // Submitted over the bus by the officer's own NATS user: the requester is bus:officer-esc, whose principal is the officer's name.
    const own = await new BusClient(stack.nc, 20_000).callOn(Commands.submitBus, BusSubmit.subject(stack.ca, 'officer-esc'), {
      request: opensslCsr({ key: 'ec-p256', subject: '/CN=My Own Signing/O=Example Corp' }),
      attributes: 'CertificateTemplate: CodeSigning',
    });
    expect(own).toMatchObject({ disposition: 'pending' });

    await stack.restart('ca-core', { SIGNET_ROLE_SEPARATION: 'true' });
    try {
      const dual = await admin('POST', `/api/v1/requests/${id}/resubmit`, t.dual);
      expect(dual).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', details: { reason: 'ROLE_SEPARATION', action: 'resubmit' } } });
      expect(dual.body.message).toBe('role separation is on: dual-esc holds ca-admin and officer and may not resubmit');

      const self = await admin('POST', `/api/v1/requests/${own.requestId}/resubmit`, t.officer);
      expect(self).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', message: `role separation is on: officer-esc submitted request ${own.requestId} and may not approve it`, details: { reason: 'SELF_APPROVAL' } } });

      // Both refusals are ca-core's: it alone writes the audit log.
      const refused = (await stack.db.query(`SELECT actor, details->>'reason' AS reason FROM audit_log WHERE action = 'admin.forbidden' ORDER BY id`)).rows;
      expect(refused).toEqual([
        { actor: 'dual-esc', reason: 'ROLE_SEPARATION' },
        { actor: 'officer-esc', reason: 'SELF_APPROVAL' },
      ]);
      expect((await admin('POST', `/api/v1/requests/${own.requestId}/resubmit`, t.officer2)).body).toMatchObject({ disposition: 'issued' });
    } finally {
      await stack.restart('ca-core');
    }
    // Off again: the same caller may.
    expect((await admin('POST', `/api/v1/requests/${id}/resubmit`, t.dual)).body).toMatchObject({ disposition: 'issued' });
  });
});
