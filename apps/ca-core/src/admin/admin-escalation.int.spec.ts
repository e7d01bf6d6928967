import { Commands, ErrorCode, type PolicyVerifyReply, type PolicyVerifyRequest, type RequestResult } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { encodeBasicConstraints, encodeExtKeyUsage, encodeKeyUsage, OID, type KeyUsageName } from '@signet/x509';
import { spawnSync } from 'node:child_process';
import { failure, startCaCore, type CaCoreHarness } from '../testing/ca-core-harness';
import { makeCsr, openssl, tryOpenssl } from '../testing/openssl';

/*
 * ADR 0023, at ca-core: no administrator's edit, and no policy verdict that
 * does not name a CA template, makes ca-core sign a CA certificate. The
 * policy double here is naive on purpose: on a resubmit it issues whatever
 * it is told, ignoring the officer's extensions, so what is refused is
 * refused by ca-core itself.
 */

const officer = { name: 'olivia', roles: ['officer' as const] };
const viewer = { name: 'victor', roles: ['viewer' as const] };
const b64 = (b: Buffer) => b.toString('base64');
const ku = (u: KeyUsageName[]) => ({ oid: OID.keyUsage, critical: true, value: b64(encodeKeyUsage(u)) });
const bc = (ca: boolean, pathLength?: number) => ({ oid: OID.basicConstraints, critical: true, value: b64(encodeBasicConstraints({ ca, pathLength })) });
/** What a code-signing template sets. */
const CODE_SIGNING = [ku(['digitalSignature']), { oid: OID.extKeyUsage, critical: false, value: b64(encodeExtKeyUsage([OID.codeSigning])) }, bc(false)];
/** What a CA template sets. */
const SUB_CA = [ku(['digitalSignature', 'keyCertSign', 'cRLSign']), bc(true, 0)];

/** Pends new requests; a resubmit issues with `extensions` (and `caTemplate`), whatever the officer edited. */
function naivePolicy(extensions: typeof CODE_SIGNING, caTemplate?: boolean) {
  return (req: PolicyVerifyRequest): PolicyVerifyReply =>
    req.newRequest
      ? { verdict: 'pend', message: 'a certificate manager must approve this' }
      : { verdict: 'issue', message: 'approved', decidedBy: { rule: 'approved' }, ...(caTemplate === undefined ? {} : { caTemplate }), changes: { template: 'CodeSigning', extensions } };
}

function setup(prefix: string, env: Record<string, string> = {}) {
  const w = new ScratchDir();
  const ctx = { h: undefined as unknown as CaCoreHarness, w };
  beforeAll(async () => {
    ctx.h = await startCaCore(prefix, env);
  });
  afterAll(async () => {
    await ctx.h?.close();
    w.remove();
  });
  return ctx;
}

function helpers(ctx: { h: CaCoreHarness; w: ScratchDir }) {
  const submit = (name: string): Promise<RequestResult> =>
    ctx.h.submitOnBus('alice', { request: makeCsr(ctx.w, name, `/CN=${name}/O=Signet Tests`), attributes: 'CertificateTemplate: CodeSigning' });
  const setExtension = (requestId: number, e: { oid: string; critical?: boolean; value: string; disabled?: boolean }) =>
    ctx.h.client.call(Commands.adminSetExtension, ctx.h.ca, { actor: officer, requestId, oid: e.oid, critical: e.critical ?? false, disabled: e.disabled ?? false, value: { type: 'der', value: e.value } });
  const resubmit = (requestId: number) => ctx.h.client.call(Commands.adminResubmit, ctx.h.ca, { actor: officer, requestId });
  const certificates = async (requestId: number) =>
    (await ctx.h.ds.query(`SELECT count(*)::int AS n FROM certificate WHERE request_id = $1`, [requestId]))[0].n as number;
  const caCertificatesSigned = async () =>
    ((await ctx.h.ds.query(`SELECT der FROM certificate WHERE ca_name = $1`, [ctx.h.ca])) as { der: Buffer }[]).filter((r) =>
      /CA:TRUE/.test(openssl(['x509', '-inform', 'DER', '-noout', '-text'], { input: r.der })),
    ).length;
  return { submit, setExtension, resubmit, certificates, caCertificatesSigned };
}

describe('ca-core that issues no CA certificates (the default)', () => {
  const ctx = setup('esc');
  const { submit, setExtension, resubmit, certificates, caCertificatesSigned } = helpers(ctx);

  it('set-extension refuses cA TRUE, a path length, keyCertSign and cRLSign at once, naming them; nothing is stored', async () => {
    const { requestId } = await submit('edit-refused');
    for (const [ext, extension, powers] of [
      [bc(true), 'basicConstraints', ['cA TRUE']],
      [bc(true, 0), 'basicConstraints', ['cA TRUE', 'pathLenConstraint']],
      [ku(['digitalSignature', 'keyCertSign']), 'keyUsage', ['keyCertSign']],
      [ku(['cRLSign']), 'keyUsage', ['cRLSign']],
    ] as const) {
      const e = await failure(setExtension(requestId, ext));
      expect(e).toMatchObject({ code: ErrorCode.BadMessage, details: { requestId, oid: ext.oid, extension, powers } });
      expect(e.message).toMatch(/would make request \d+'s certificate a CA certificate, which this CA never signs \(SIGNET_ALLOW_SUBORDINATE_CA is off\)/);
    }
    // Disabled, it puts nothing into the certificate: an officer may do that.
    await setExtension(requestId, { ...bc(true), disabled: true });
    const d = await ctx.h.client.call(Commands.adminGetRequest, ctx.h.ca, { actor: viewer, requestId });
    expect(d.extensions.filter((e) => e.origin === 'admin')).toEqual([expect.objectContaining({ oid: OID.basicConstraints, disabled: true })]);
  });

  it('a policy that sets CA powers without naming a CA template: LINT_FAILED names them, the request fails, nothing is signed', async () => {
    ctx.h.setPolicy(naivePolicy(SUB_CA));
    const { requestId } = await submit('rogue-policy');
    const r = await resubmit(requestId);
    expect(r).toMatchObject({ requestId, disposition: 'failed' });
    expect(r.message).toContain("the certificate failed the CA's checks and was not signed");
    for (const p of ['basicConstraints: cA TRUE is not allowed', 'basicConstraints: pathLenConstraint is not allowed', 'keyUsage: keyCertSign is not allowed', 'keyUsage: cRLSign is not allowed']) {
      expect(r.message).toContain(p);
    }
    expect(await certificates(requestId)).toBe(0);
  });

  it('a policy that names a CA template: still refused while SIGNET_ALLOW_SUBORDINATE_CA is off, and the message says so', async () => {
    ctx.h.setPolicy(naivePolicy(SUB_CA, true));
    const { requestId } = await submit('ca-template-off');
    const r = await resubmit(requestId);
    expect(r).toMatchObject({ disposition: 'failed', message: expect.stringContaining('(the policy names a CA template, but SIGNET_ALLOW_SUBORDINATE_CA is off)') });
    expect(await certificates(requestId)).toBe(0);
    expect(await caCertificatesSigned()).toBe(0);
  });
});

describe('ca-core with SIGNET_ALLOW_SUBORDINATE_CA=true', () => {
  const ctx = setup('esc-sub', { SIGNET_ALLOW_SUBORDINATE_CA: 'true' });
  const { submit, setExtension, resubmit, certificates, caCertificatesSigned } = helpers(ctx);

  it('ESC7: cA TRUE, keyCertSign and a disabled EKU on a code-signing request; the policy approves; ca-core denies, naming the extension', async () => {
    ctx.h.setPolicy(naivePolicy(CODE_SIGNING));
    const { requestId } = await submit('esc7');
    // Accepted here (this CA may issue sub-CAs, for a CA template); the template decides at resubmit.
    await setExtension(requestId, { ...bc(true), critical: true });
    await setExtension(requestId, ku(['digitalSignature', 'keyCertSign', 'cRLSign']));
    await setExtension(requestId, { ...CODE_SIGNING[1], disabled: true });
    const r = await resubmit(requestId);
    expect(r).toEqual({
      requestId,
      disposition: 'denied',
      dispositionCode: 2,
      message: "the CA refuses an administrator's keyUsage extension: it adds keyCertSign, cRLSign; the template allows digitalSignature",
      decidedBy: { rule: 'ca.extension.admin', field: 'extensions.keyUsage', value: 'adds keyCertSign, cRLSign; the template allows digitalSignature' },
    });
    expect(await certificates(requestId)).toBe(0);
    const [{ n }] = await ctx.h.ds.query(`SELECT count(*)::int AS n FROM serial_reservation WHERE request_id = $1`, [requestId]);
    expect(n).toBe(0);
    // Denied stays resubmittable, and stays denied: the edits cannot change any more.
    expect(await resubmit(requestId)).toMatchObject({ disposition: 'denied', decidedBy: { rule: 'ca.extension.admin' } });
  });

  it.each([
    ['the EKU disabled alone', { ...CODE_SIGNING[1], disabled: true }, /extKeyUsage extension: it disables extKeyUsage, which the template limits to codeSigning/],
    ['anyExtendedKeyUsage instead of codeSigning', { oid: OID.extKeyUsage, value: b64(encodeExtKeyUsage([OID.anyExtendedKeyUsage])) }, /adds anyExtendedKeyUsage; the template allows codeSigning/],
    ['cA TRUE alone', { ...bc(true), critical: true }, /basicConstraints extension: it sets cA TRUE, which only a CA template allows/],
  ])('denies %s', async (_n, ext, message) => {
    ctx.h.setPolicy(naivePolicy(CODE_SIGNING));
    const { requestId } = await submit(`widen-${_n.replace(/\W+/g, '-')}`);
    await setExtension(requestId, ext);
    expect(await resubmit(requestId)).toMatchObject({ disposition: 'denied', message: expect.stringMatching(message) });
    expect(await certificates(requestId)).toBe(0);
  });

  it('a policy that sets CA powers without naming a CA template: LINT_FAILED', async () => {
    ctx.h.setPolicy(naivePolicy(SUB_CA, false));
    const { requestId } = await submit('rogue-policy-on');
    expect(await resubmit(requestId)).toMatchObject({ disposition: 'failed', message: expect.stringContaining('basicConstraints: cA TRUE is not allowed') });
    expect(await caCertificatesSigned()).toBe(0);
  });

  it('a CA template: the sub-CA certificate is issued, and openssl -x509_strict and certtool accept it as a CA', async () => {
    ctx.h.setPolicy(naivePolicy(SUB_CA, true));
    const { requestId } = await submit('sub-ca');
    const r = await resubmit(requestId);
    expect(r).toMatchObject({ disposition: 'issued' });
    const root = ctx.w.write('root.pem', ctx.h.caPem);
    const sub = ctx.w.write('sub.pem', r.certificate!);
    expect(openssl(['x509', '-in', sub, '-noout', '-text'])).toMatch(/Basic Constraints: critical\s*\n\s*CA:TRUE, pathlen:0/);
    const v = tryOpenssl(['verify', '-x509_strict', '-purpose', 'any', '-CAfile', root, sub]);
    expect([v.status, v.stdout]).toEqual([0, expect.stringContaining(': OK')]);
    const g = spawnSync('certtool', ['--verify', '--load-ca-certificate', root, '--infile', sub], { encoding: 'utf8' });
    expect([g.status, g.stdout]).toEqual([0, expect.stringContaining('Chain verification output: Verified')]);
    expect(await caCertificatesSigned()).toBe(1);
  });
});
