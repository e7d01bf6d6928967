import {
  CaEventSchema,
  Commands,
  ErrorCode,
  Events,
  ExitEvent,
  SignetError,
  type PolicyVerifyReply,
  type SubmitRequest,
  type SubmitResult,
} from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { encodeExtKeyUsage, encodeKeyUsage, encodeSubjectAltName, fromPem, OID, parseCertificate } from '@signet/x509';
import { createHash, createPublicKey } from 'node:crypto';
import { failure, startCaCore, type CaCoreHarness, type PolicyHandler } from '../testing/ca-core-harness';
import { eventCounts, lastEvent, waitFor } from '../testing/infra';
import { makeCsr, openssl, tryOpenssl } from '../testing/openssl';

/*
 * ca-core in process, as main.ts starts it, on the real PostgreSQL and the
 * real NATS, with the harness's policy double: each case installs the
 * policy answer it is about (the handlers below). OpenSSL judges the
 * certificates.
 */

const POLICY_TIMEOUT_MS = 1_500;
const MAX_VALIDITY_DAYS = 30;
const CUSTOM_OID = '1.3.6.1.4.1.55555.1.2';

/** Exactly what the test policy puts into an issued certificate. */
const POLICY_EXTENSIONS = [
  { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) },
  { oid: OID.extKeyUsage, critical: false, value: encodeExtKeyUsage([OID.serverAuth, OID.clientAuth]) },
  { oid: OID.subjectAltName, critical: false, value: encodeSubjectAltName([{ type: 'dns', value: 'www.example.test' }]) },
];
const asChanges = (exts: Array<{ oid: string; critical: boolean; value: Buffer }>) =>
  exts.map((e) => ({ oid: e.oid, critical: e.critical, value: e.value.toString('base64') }));

/* The policy's answers: each case installs the one it is about with h.setPolicy. */
function issue(): PolicyVerifyReply {
  return { verdict: 'issue', message: 'issued by the test policy', decidedBy: { rule: 'web-server' }, changes: { template: 'WebServer', extensions: asChanges(POLICY_EXTENSIONS) } };
}
const pend: PolicyHandler = () => ({ verdict: 'pend', message: 'a certificate manager must approve this', decidedBy: { rule: 'manual-approval' } });
const deny: PolicyHandler = () => ({ verdict: 'deny', message: 'subject not allowed', decidedBy: { rule: 'deny-list', field: 'subject.CN', value: 'blocked.example.test' } });
/** Moves notAfter a day past what the CA proposed. */
const widen: PolicyHandler = (req) => ({ ...issue(), changes: { ...issue().changes, notAfter: new Date(Date.parse(req.certificate.notAfter) + 86_400_000).toISOString() } });
/** Sets the subject key identifier, which belongs to the CA. */
const serverOwned: PolicyHandler = () => ({ ...issue(), changes: { extensions: [{ oid: OID.subjectKeyIdentifier, critical: false, value: Buffer.from('04020102', 'hex').toString('base64') }] } });
/** keyEncipherment is impossible with the EC key of the request: the CA must refuse to sign. */
const lint: PolicyHandler = () => ({ ...issue(), changes: { extensions: asChanges([{ oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature', 'keyEncipherment']) }]) } });
const policyError: PolicyHandler = () => {
  throw new SignetError(ErrorCode.BadAttributes, 'template "Nope" is not offered by this policy');
};

interface AuditRow {
  actor: string;
  action: string;
  serial: string | null;
  before_disposition: string | null;
  after_disposition: string | null;
  details: Record<string, unknown>;
}

describe('issuance through ca-core on the real bus and database', () => {
  const w = new ScratchDir();
  let h: CaCoreHarness;
  let caPemPath: string;
  let staleId: string;
  let recentId: string;

  beforeAll(async () => {
    h = await startCaCore(
      'iss',
      { SIGNET_CA_SUBJECT: 'O=Signet Tests,CN=Signet Issuance Test CA', SIGNET_POLICY_TIMEOUT_MS: String(POLICY_TIMEOUT_MS), SIGNET_MAX_VALIDITY_DAYS: String(MAX_VALIDITY_DAYS) },
      {
        // Left behind by a "crash": one request in process for ten minutes with no lease; and one a live replica
        // holds, its lease renewed (a lease long enough that a slow machine cannot outlive it during the test).
        beforeStart: async ({ ca, ds }) => {
          const leftover = (submitted: string, lease: string) =>
            ds.query(`INSERT INTO request (ca_name, disposition, raw_request, request_sha256, requester_name, submitted_at, lease_until) VALUES ($1, 'in_process', '\\x00', 'x', 'bob', ${submitted}, ${lease}) RETURNING id`, [ca]);
          [[{ id: staleId }], [{ id: recentId }]] = [await leftover(`now() - interval '10 minutes'`, 'NULL'), await leftover('now()', `now() + interval '10 minutes'`)];
        },
      },
    );
    caPemPath = w.write('ca.pem', h.caPem);
  });

  afterAll(async () => {
    await h?.close();
    w.remove();
  });

  /** Submits as alice, with the WebServer template and one more attribute (which the policy sees parsed). */
  function submit(csrPem: string, extra: Partial<SubmitRequest> = {}): Promise<SubmitResult> {
    return h.submitOnBus('alice', { request: csrPem, attributes: 'contact:alice@example.test\nCertificate-Template: WebServer', ...extra });
  }

  async function audit(requestId: number): Promise<AuditRow[]> {
    return h.ds.query(
      `SELECT actor, action, serial, before_disposition, after_disposition, details FROM audit_log WHERE ca_name = $1 AND request_id = $2 ORDER BY id`,
      [h.ca, requestId],
    );
  }

  async function outboxFor(requestId: number): Promise<Array<{ event_id: string; subject: string; payload: Record<string, unknown> }>> {
    return h.ds.query(`SELECT event_id, subject, payload FROM outbox WHERE (payload->>'requestId')::bigint = $1 ORDER BY id`, [requestId]);
  }

  async function requestRow(requestId: number): Promise<Record<string, unknown>> {
    const [row] = await h.ds.query(
      `SELECT disposition, disposition_message, decided_by, template, requester_name, resolved_at, cert_not_after FROM request WHERE ca_name = $1 AND id = $2`,
      [h.ca, requestId],
    );
    return row;
  }

  async function count(sql: string, params: unknown[]): Promise<number> {
    const [{ n }] = await h.ds.query(`SELECT count(*)::int AS n FROM ${sql}`, params);
    return n;
  }

  const submitAudit = { actor: 'bus:alice', action: 'request.submit', serial: null, before_disposition: null, after_disposition: 'in_process', details: { identity: { method: 'bus', principal: 'alice', evidence: {} } } };

  it('started as AD CS step 1: CA loaded, startup event written, policy initialized and registered', async () => {
    expect(h.policyInits).toBeGreaterThanOrEqual(1);
    expect(await count(`ca WHERE name = $1`, [h.ca])).toBe(1);
    expect(await count(`outbox WHERE subject = $1`, [Events.subject(h.ca, ExitEvent.CaStartup)])).toBe(1);
    await waitFor('the policy module to be registered', async () => (await count(`module_registration WHERE ca_name = $1 AND kind = 'policy' AND name = 'test-policy'`, [h.ca])) === 1);
    const cert = await h.client.call(Commands.caCertificate, h.ca, { chain: true });
    expect(cert).toEqual({ certificate: h.caPem, chain: [h.caPem] });
  });

  it('parked the request a crash left in process as pending at start-up, and only that one', async () => {
    expect(await requestRow(Number(staleId))).toMatchObject({ disposition: 'pending', disposition_message: 'processing was interrupted; resubmit to continue' });
    expect(await audit(Number(staleId))).toEqual([
      { actor: 'ca', action: 'request.park', serial: null, before_disposition: 'in_process', after_disposition: 'pending', details: {} },
    ]);
    expect(await requestRow(Number(recentId))).toMatchObject({ disposition: 'in_process' });
  });

  describe('issue verdict', () => {
    let result: SubmitResult;
    let leafPath: string;
    let csrPath: string;
    let submittedAt: number;

    beforeAll(async () => {
      makeCsr(w, 'issue', '/CN=www.example.test/O=Signet Tests', [
        'basicConstraints=critical,CA:TRUE',
        `${CUSTOM_OID}=ASN1:UTF8String:please copy me`,
        'subjectAltName=DNS:evil.example.net',
        'keyUsage=critical,keyCertSign,cRLSign',
      ]);
      csrPath = w.path('issue.csr');
      submittedAt = Date.now();
      h.setPolicy(issue);
      result = await submit(w.read('issue.csr'));
      leafPath = w.write('issue.pem', result.certificate ?? '');
    });

    it('answers issued with the certificate, its serial and the chain', () => {
      expect(result).toMatchObject({
        disposition: 'issued',
        dispositionCode: 3,
        message: 'issued by the test policy',
        decidedBy: { rule: 'web-server' },
        chain: [h.caPem],
      });
      // 128 random bits: 16 octets, positive, no leading zero octet.
      expect(result.serial).toMatch(/^(?!00)[0-7][0-9a-f]{31}$/);
      expect(openssl(['x509', '-in', leafPath, '-noout', '-serial']).trim().toLowerCase()).toBe(`serial=${result.serial}`);
    });

    it('gave the policy one snapshot with the request as asked (requested extensions shown, origin request)', () => {
      const call = h.verifyCalls.find((c) => c.requestId === result.requestId)!;
      expect(call).toBeDefined();
      expect(call.newRequest).toBe(true);
      expect(call.request.requesterName).toBe('bus:alice');
      expect(call.identity).toEqual({ method: 'bus', principal: 'alice', names: [], groups: [], evidence: {} });
      expect(call.request.attributes).toEqual({ contact: 'alice@example.test', certificatetemplate: 'WebServer' });
      expect(call.request.subjectAltNames).toEqual([{ type: 'dns', value: 'evil.example.net' }]);
      expect(call.request.publicKey).toMatchObject({ algorithm: 'ec', curve: 'P-256' });
      expect(call.request.extensions.map((e) => [e.oid, e.origin])).toEqual(
        expect.arrayContaining([
          [OID.basicConstraints, 'request'],
          [CUSTOM_OID, 'request'],
          [OID.subjectAltName, 'request'],
          [OID.keyUsage, 'request'],
        ]),
      );
      expect(call.certificate.extensions).toEqual([]);
      expect(call.ca.name).toBe(h.ca);
      const proposedDays = (Date.parse(call.certificate.notAfter) - Date.parse(call.certificate.notBefore)) / 86_400_000;
      expect(proposedDays).toBeGreaterThan(MAX_VALIDITY_DAYS);
      expect(proposedDays).toBeLessThan(MAX_VALIDITY_DAYS + 1 / 24);
    });

    it('issued a certificate that OpenSSL verifies strictly against the CA certificate', () => {
      const v = tryOpenssl(['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', caPemPath, leafPath]);
      expect(`${v.stdout}${v.stderr}`).toContain(`${leafPath}: OK`);
      expect(v.status).toBe(0);
      // Same subject as the request, signed by the CA.
      const subj = (args: string[]) => openssl([...args, '-noout', '-subject', '-nameopt', 'RFC2253']).trim().replace(/^subject=/, '');
      expect(subj(['x509', '-in', leafPath])).toBe(subj(['req', '-in', csrPath]));
      expect(openssl(['x509', '-in', leafPath, '-noout', '-issuer', '-nameopt', 'RFC2253']).trim()).toBe('issuer=CN=Signet Issuance Test CA,O=Signet Tests');
    });

    it('contains exactly the policy extensions plus SKI/AKI, and nothing the CSR asked for', () => {
      const cert = parseCertificate(fromPem(result.certificate!, 'CERTIFICATE'));
      expect(cert.extensions.map((e) => e.oid).sort()).toEqual(
        [OID.subjectKeyIdentifier, OID.authorityKeyIdentifier, OID.keyUsage, OID.extKeyUsage, OID.subjectAltName].sort(),
      );
      for (const p of POLICY_EXTENSIONS) {
        const got = cert.extensions.find((e) => e.oid === p.oid)!;
        expect({ oid: got.oid, critical: got.critical, value: Buffer.from(got.value).toString('hex') }).toEqual({ oid: p.oid, critical: p.critical, value: p.value.toString('hex') });
      }
      const text = openssl(['x509', '-in', leafPath, '-noout', '-text']);
      expect(text).not.toMatch(/Basic Constraints/);
      expect(text).not.toContain('CA:TRUE');
      expect(text).not.toContain(CUSTOM_OID);
      expect(text).not.toContain('please copy me');
      expect(text).not.toContain('evil.example.net');
      expect(text).not.toMatch(/Certificate Sign/);
      expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
      expect(text).toMatch(/TLS Web Server Authentication, TLS Web Client Authentication/);
      expect(text).toMatch(/X509v3 Subject Alternative Name:\s+DNS:www\.example\.test\n/);
    });

    it('identifies the subject key (RFC 5280 method 1) and the CA key (AKI = CA SKI)', () => {
      const keyId = (text: string, label: string) =>
        text.match(new RegExp(`X509v3 ${label}:\\s*\\n\\s*(?:keyid:)?([0-9A-F:]+)`))?.[1];
      // SHA-1 over the subjectPublicKey bits of the CSR's key (P-256: the last 65 octets of the SPKI).
      const spki = createPublicKey(openssl(['req', '-in', csrPath, '-noout', '-pubkey'])).export({ type: 'spki', format: 'der' });
      const expectedSki = createHash('sha1').update(spki.subarray(spki.length - 65)).digest('hex').toUpperCase().match(/../g)!.join(':');
      const leafText = openssl(['x509', '-in', leafPath, '-noout', '-text']);
      const caText = openssl(['x509', '-in', caPemPath, '-noout', '-text']);
      expect(keyId(leafText, 'Subject Key Identifier')).toBe(expectedSki);
      expect(keyId(leafText, 'Authority Key Identifier')).toBe(keyId(caText, 'Subject Key Identifier'));
      expect(keyId(caText, 'Subject Key Identifier')).toBeTruthy();
    });

    it('uses the CA\'s proposed validity: backdated a minute, SIGNET_MAX_VALIDITY_DAYS long', () => {
      const cert = parseCertificate(fromPem(result.certificate!, 'CERTIFICATE'));
      expect(cert.notBefore.getTime()).toBeGreaterThanOrEqual(submittedAt - 61_000);
      expect(cert.notBefore.getTime()).toBeLessThanOrEqual(Date.now() - 59_000);
      expect(cert.notAfter.getTime()).toBeGreaterThanOrEqual(submittedAt + MAX_VALIDITY_DAYS * 86_400_000 - 1_000);
      expect(cert.notAfter.getTime()).toBeLessThanOrEqual(Date.now() + MAX_VALIDITY_DAYS * 86_400_000);
    });

    it('stored the request, certificate, serial, event and one audit record per transition', async () => {
      const id = result.requestId;
      expect(await requestRow(id)).toMatchObject({
        disposition: 'issued',
        disposition_message: 'issued by the test policy',
        decided_by: { rule: 'web-server' },
        template: 'WebServer',
        requester_name: 'bus:alice',
        resolved_at: expect.any(Date),
      });
      const [certRow] = await h.ds.query(`SELECT serial, der, sha256 FROM certificate WHERE ca_name = $1 AND request_id = $2`, [h.ca, id]);
      expect(certRow.serial).toBe(result.serial);
      expect(certRow.der.equals(fromPem(result.certificate!, 'CERTIFICATE'))).toBe(true);
      expect(certRow.sha256).toBe(createHash('sha256').update(certRow.der).digest('hex'));
      expect(await count(`serial_reservation WHERE ca_name = $1 AND request_id = $2`, [h.ca, id])).toBe(1);
      // The policy's extensions are recorded with origin policy, the CSR's with origin request.
      const exts: Array<{ oid: string; origin: string }> = await h.ds.query(`SELECT oid, origin FROM request_extension WHERE request_id = $1 ORDER BY origin, oid`, [id]);
      expect(exts.filter((e) => e.origin === 'policy').map((e) => e.oid).sort()).toEqual([OID.keyUsage, OID.subjectAltName, OID.extKeyUsage].sort());
      expect(exts.filter((e) => e.origin === 'request').map((e) => e.oid)).toEqual(expect.arrayContaining([OID.basicConstraints, CUSTOM_OID]));

      const events = await outboxFor(id);
      expect(events.map((e) => e.subject)).toEqual([Events.subject(h.ca, ExitEvent.CertificateIssued)]);
      expect(CaEventSchema.parse(events[0].payload)).toMatchObject({ requestId: id, disposition: 'issued', serial: result.serial, certificate: result.certificate, template: 'WebServer' });

      expect(await audit(id)).toEqual([
        submitAudit,
        { actor: 'ca', action: 'request.issue', serial: result.serial, before_disposition: 'in_process', after_disposition: 'issued', details: { decidedBy: { rule: 'web-server' } } },
      ]);
    });

    it('published the certificate.issued event to JetStream after the commit, with the event id as message id', async () => {
      const [event] = await outboxFor(result.requestId);
      await waitFor('the relay to publish certificate.issued', async () => (await lastEvent(h.caNc, event.subject))?.msgId === event.event_id);
      const stored = await lastEvent(h.caNc, event.subject);
      expect(stored?.payload).toMatchObject({ id: event.event_id, requestId: result.requestId, serial: result.serial });
    });

    it('hands the certificate out again to the holder of the retrieval secret, and writes nothing (it was issued at submit)', async () => {
      const writes = async () => ({ outbox: (await outboxFor(result.requestId)).length, audit: (await audit(result.requestId)).length });
      const before = await writes();
      const again = await h.client.call(Commands.retrieve, h.ca, { requestId: result.requestId, retrievalSecret: result.retrievalSecret });
      expect(again).toMatchObject({ requestId: result.requestId, disposition: 'issued', serial: result.serial, certificate: result.certificate, chain: [h.caPem] });
      expect(again).not.toHaveProperty('retrievalSecret');
      expect((await outboxFor(result.requestId)).map((e) => e.subject)).toEqual([Events.subject(h.ca, ExitEvent.CertificateIssued)]);
      expect(await writes()).toEqual(before);
    });

    it('returns the first result for a repeated idempotency key and never issues twice; the retry gets a fresh secret that replaces the first', async () => {
      const csr = makeCsr(w, 'idem', '/CN=www.example.test');
      const first = await submit(csr, { idempotencyKey: `order-${h.ca}` });
      const calls = h.verifyCalls.length;
      const certs = await count(`certificate WHERE ca_name = $1`, [h.ca]);
      const second = await submit(csr, { idempotencyKey: `order-${h.ca}` });
      const { retrievalSecret: firstSecret, ...firstResult } = first;
      const { retrievalSecret: secondSecret, ...secondResult } = second;
      expect(secondResult).toEqual(firstResult);
      expect(secondSecret).not.toBe(firstSecret);
      expect(h.verifyCalls.length).toBe(calls);
      expect(await count(`certificate WHERE ca_name = $1`, [h.ca])).toBe(certs);
      // Only the newest secret reads the request; the replacement is audited as the retry's.
      const read = (retrievalSecret: string) => h.client.call(Commands.retrieve, h.ca, { requestId: first.requestId, retrievalSecret });
      await expect(read(secondSecret)).resolves.toMatchObject({ requestId: first.requestId, serial: first.serial });
      expect(await failure(read(firstSecret))).toMatchObject({ code: ErrorCode.NotFound });
      expect((await audit(first.requestId)).map((a) => [a.actor, a.action, a.details])).toEqual([
        ['bus:alice', 'request.submit', { identity: { method: 'bus', principal: 'alice', evidence: {} } }],
        ['ca', 'request.issue', { decidedBy: { rule: 'web-server' } }],
        ['bus:alice', 'request.retry', { retrievalSecret: 'replaced' }],
      ]);

      // Two retries racing each other: one certificate, the same answer twice.
      const racing = makeCsr(w, 'idem-race', '/CN=www.example.test');
      const [a, b] = await Promise.all([0, 1].map(() => submit(racing, { idempotencyKey: `race-${h.ca}` })));
      expect(a.disposition).toBe('issued');
      expect({ ...b, retrievalSecret: undefined }).toEqual({ ...a, retrievalSecret: undefined });
      expect(h.verifyCalls.length).toBe(calls + 1);
      expect(await count(`certificate WHERE ca_name = $1`, [h.ca])).toBe(certs + 1);

      const other = makeCsr(w, 'idem2', '/CN=www.example.test');
      const err = await failure(submit(other, { idempotencyKey: `order-${h.ca}` }));
      expect(err).toMatchObject({ code: ErrorCode.IdempotencyConflict, details: { requestId: first.requestId } });
    });
  });

  it('pend verdict: pending, a request.pending event in the outbox, and the audit trail', async () => {
    h.setPolicy(pend);
    const r = await submit(makeCsr(w, 'pend', '/CN=pend.example.test'));
    expect(r).toMatchObject({ disposition: 'pending', dispositionCode: 5, message: 'a certificate manager must approve this', decidedBy: { rule: 'manual-approval' } });
    expect(r.certificate).toBeUndefined();
    expect(await requestRow(r.requestId)).toMatchObject({ disposition: 'pending', resolved_at: null, decided_by: { rule: 'manual-approval' } });
    const events = await outboxFor(r.requestId);
    expect(events.map((e) => e.subject)).toEqual([Events.subject(h.ca, ExitEvent.RequestPending)]);
    expect(events[0].payload).toMatchObject({ event: 'request.pending', requestId: r.requestId, disposition: 'pending' });
    expect(await count(`certificate WHERE request_id = $1`, [r.requestId])).toBe(0);
    expect(await audit(r.requestId)).toEqual([
      submitAudit,
      { actor: 'ca', action: 'request.pend', serial: null, before_disposition: 'in_process', after_disposition: 'pending', details: { decidedBy: { rule: 'manual-approval' } } },
    ]);
  });

  it('deny verdict: denied with the deciding rule', async () => {
    h.setPolicy(deny);
    const r = await submit(makeCsr(w, 'deny', '/CN=blocked.example.test'));
    const decidedBy = { rule: 'deny-list', field: 'subject.CN', value: 'blocked.example.test' };
    expect(r).toMatchObject({ disposition: 'denied', dispositionCode: 2, message: 'subject not allowed', decidedBy });
    expect(await requestRow(r.requestId)).toMatchObject({ disposition: 'denied', decided_by: decidedBy, resolved_at: expect.any(Date) });
    expect((await outboxFor(r.requestId)).map((e) => e.subject)).toEqual([Events.subject(h.ca, ExitEvent.RequestDenied)]);
    expect(await count(`serial_reservation WHERE request_id = $1`, [r.requestId])).toBe(0);
    expect(await audit(r.requestId)).toEqual([
      submitAudit,
      { actor: 'ca', action: 'request.deny', serial: null, before_disposition: 'in_process', after_disposition: 'denied', details: { decidedBy } },
    ]);
  });

  it.each<[string, PolicyHandler, RegExp]>([
    ['widen', widen, /^the policy module made a change the CA refuses: notAfter may not move later/],
    ['server-owned', serverOwned, /^the policy module made a change the CA refuses: extension 2\.5\.29\.14 is set by the CA itself/],
    ['error', policyError, /^the policy module failed: BAD_ATTRIBUTES: template "Nope" is not offered by this policy$/],
  ])('a policy that answers %s fails the request permanently, with the reason, before any serial is drawn', async (name, policy, message) => {
    h.setPolicy(policy);
    const r = await submit(makeCsr(w, name, `/CN=${name}.example.test`));
    expect(r).toMatchObject({ disposition: 'failed', dispositionCode: 1 });
    expect(r.message).toMatch(message);
    expect(r.certificate).toBeUndefined();
    expect(await requestRow(r.requestId)).toMatchObject({ disposition: 'failed', resolved_at: expect.any(Date) });
    expect(await count(`serial_reservation WHERE request_id = $1`, [r.requestId])).toBe(0);
    expect(await count(`certificate WHERE request_id = $1`, [r.requestId])).toBe(0);
    expect(await outboxFor(r.requestId)).toEqual([]);
    expect(await audit(r.requestId)).toEqual([
      submitAudit,
      { actor: 'ca', action: 'request.fail', serial: null, before_disposition: 'in_process', after_disposition: 'failed', details: {} },
    ]);
  });

  it('a certificate that fails the CA\'s lint is not signed and the request fails', async () => {
    h.setPolicy(lint);
    const r = await submit(makeCsr(w, 'lint', '/CN=lint.example.test'));
    expect(r).toMatchObject({ disposition: 'failed' });
    expect(r.message).toMatch(/^the certificate failed the CA's checks and was not signed: .*keyUsage: keyEncipherment is not possible with an ec key/);
    expect(await count(`certificate WHERE request_id = $1`, [r.requestId])).toBe(0);
    expect((await audit(r.requestId)).map((a) => a.action)).toEqual(['request.submit', 'request.fail']);
  });

  it('refuses an unreadable request and one whose signature does not verify, storing nothing', async () => {
    const before = await count(`request WHERE ca_name = $1`, [h.ca]);
    h.setPolicy(issue);
    expect(await failure(submit('this is not a certificate request'))).toMatchObject({ code: ErrorCode.MalformedRequest });
    const der = fromPem(makeCsr(w, 'tampered', '/CN=tampered.example.test'), 'CERTIFICATE REQUEST');
    der[der.length - 1] ^= 0x01; // last octet of the ECDSA signature
    expect(await failure(submit(der.toString('base64')))).toMatchObject({ code: ErrorCode.BadSignature });
    expect(await count(`request WHERE ca_name = $1`, [h.ca])).toBe(before);
  });

  it('a policy that does not answer in time: POLICY_UNAVAILABLE with the request id, request kept as pending', async () => {
    // Answers only after ca-core has stopped waiting; `answered` settles when it has (so nothing runs after the test).
    let answered = Promise.resolve();
    h.setPolicy(async () => {
      answered = new Promise((r) => setTimeout(r, POLICY_TIMEOUT_MS + 300));
      await answered;
      return issue();
    });
    const err = await failure(submit(makeCsr(w, 'slow', '/CN=slow.example.test')));
    expect(err).toMatchObject({ code: ErrorCode.PolicyUnavailable, retryable: true, details: { requestId: expect.any(Number) } });
    const id = err.details!.requestId as number;
    expect(await requestRow(id)).toMatchObject({ disposition: 'pending', disposition_message: expect.stringMatching(/policy module is unavailable/) });
    expect((await audit(id)).map((a) => [a.action, a.before_disposition, a.after_disposition])).toEqual([
      ['request.submit', null, 'in_process'],
      ['request.park', 'in_process', 'pending'],
    ]);
    // The late answer changes nothing: the request stays pending.
    await answered;
    await new Promise((r) => setImmediate(r));
    expect(await requestRow(id)).toMatchObject({ disposition: 'pending' });
  });

  it('a request parked because the policy did not answer is resumed by its submitter\'s retry with the same key: one certificate', async () => {
    let answered = Promise.resolve();
    h.setPolicy(async () => {
      answered = new Promise((r) => setTimeout(r, POLICY_TIMEOUT_MS + 300));
      await answered;
      return issue();
    });
    const csr = makeCsr(w, 'blip', '/CN=blip.example.test');
    const key = `blip-${h.ca}`;
    const err = await failure(submit(csr, { idempotencyKey: key }));
    expect(err).toMatchObject({ code: ErrorCode.PolicyUnavailable, retryable: true });
    const id = err.details!.requestId as number;
    expect(await h.ds.query(`SELECT disposition, resumable FROM request WHERE ca_name = $1 AND id = $2`, [h.ca, id])).toEqual([{ disposition: 'pending', resumable: true }]);
    await answered;
    // The module answers again (a bus restart is over): the client's retry carries on with the same request.
    h.setPolicy(issue);
    const retried = await submit(csr, { idempotencyKey: key });
    expect(retried).toMatchObject({ requestId: id, disposition: 'issued' });
    expect(await count(`certificate WHERE request_id = $1`, [id])).toBe(1);
    expect((await audit(id)).map((a) => a.action)).toEqual(['request.submit', 'request.park', 'request.resume', 'request.issue']);
    // A second retry reads the result; it does not issue again.
    expect(await submit(csr, { idempotencyKey: key })).toMatchObject({ requestId: id, disposition: 'issued', serial: retried.serial });
    expect(await count(`certificate WHERE request_id = $1`, [id])).toBe(1);
  });

  it('the policy module stopped: POLICY_UNAVAILABLE with details.requestId, and the request stored as pending', async () => {
    h.setPolicy(issue);
    await h.stopPolicy();
    const csr = makeCsr(w, 'down', '/CN=down.example.test');
    const err = await failure(submit(csr));
    expect(err).toBeInstanceOf(SignetError);
    expect(err).toMatchObject({ code: ErrorCode.PolicyUnavailable, retryable: true, details: { requestId: expect.any(Number), retrievalSecret: expect.stringMatching(/^sgr_/) } });
    expect(err.message).toMatch(/policy module is unavailable/);
    const id = err.details!.requestId as number;
    expect(await requestRow(id)).toMatchObject({
      disposition: 'pending',
      disposition_message: 'the policy module is unavailable; the request is stored and can be resubmitted',
      resolved_at: null,
    });
    expect((await outboxFor(id)).map((e) => e.subject)).toEqual([Events.subject(h.ca, ExitEvent.RequestPending)]);
    expect(await audit(id)).toEqual([
      submitAudit,
      { actor: 'ca', action: 'request.park', serial: null, before_disposition: 'in_process', after_disposition: 'pending', details: {} },
    ]);
    // The client can still read it back with the secret the error carried.
    const retrievalSecret = err.details!.retrievalSecret as string;
    await expect(h.client.call(Commands.retrieve, h.ca, { requestId: id, retrievalSecret })).resolves.toMatchObject({ requestId: id, disposition: 'pending' });
  });

  it('on shutdown writes ca.shutdown and publishes what is left in the outbox', async () => {
    await h.stopCaCore();
    expect(await count(`outbox WHERE subject = $1 AND published_at IS NOT NULL`, [Events.subject(h.ca, ExitEvent.CaShutdown)])).toBe(1);
    expect(await count(`outbox WHERE published_at IS NULL`, [])).toBe(0);
    const counts = await eventCounts(h.clientNc, h.ca);
    expect(counts[Events.subject(h.ca, ExitEvent.CaShutdown)]).toBe(1);
    expect(counts[Events.subject(h.ca, ExitEvent.CaStartup)]).toBe(1);
  });
});
