import { ExitEvent } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { caEvent, ctx, delivery, opensslCertificate } from '../../testing/fixtures';
import { PermanentDeliveryError } from '../types';
import { FilePublisher } from './file-publisher';

// The real file system: atomic writes, idempotence and the bytes are the point.

const scratch = new ScratchDir('signet-files-');
afterAll(() => scratch.remove());

const opened: FilePublisher[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

function publisher(over: Partial<ConstructorParameters<typeof FilePublisher>[0]> = {}) {
  const directory = scratch.unique('out');
  const p = new FilePublisher({ name: 'files', type: 'file', enabled: true, description: '', events: [ExitEvent.CertificateIssued], directory, formats: ['pem', 'der'], removeOnRevoke: false, delivery: delivery(), mask: 1, ...over });
  opened.push(p);
  return p;
}

describe('FilePublisher', () => {
  it('ok/writes <serial>.pem byte-identical to the event and <serial>.der that openssl reads as the same certificate', async () => {
    const p = publisher();
    const { pem, serial } = opensslCertificate();
    await p.handle(caEvent(ExitEvent.CertificateIssued, { serial, certificate: pem }), ctx());
    const dir = (p as unknown as { cfg: { directory: string } }).cfg.directory;
    expect(readdirSync(dir).sort()).toEqual([`${serial}.der`, `${serial}.pem`]); // no temporary files left behind
    expect(readFileSync(join(dir, `${serial}.pem`), 'utf8')).toBe(pem);
    const fromDer = execFileSync('openssl', ['x509', '-inform', 'DER', '-in', join(dir, `${serial}.der`), '-outform', 'PEM'], { encoding: 'utf8' });
    expect(fromDer).toBe(pem);
  });

  it('ok/an imported certificate is published like an issued one, from the event', async () => {
    const p = publisher({ events: [ExitEvent.CertificateIssued, ExitEvent.CertificateImported], formats: ['pem'] });
    const { pem, serial } = opensslCertificate();
    const readBack = jest.fn();
    await p.handle(caEvent(ExitEvent.CertificateImported, { requestId: 9, serial, certificate: pem }), ctx({ readBack }));
    const dir = (p as unknown as { cfg: { directory: string } }).cfg.directory;
    expect(readFileSync(join(dir, `${serial}.pem`), 'utf8')).toBe(pem);
    expect(readBack).not.toHaveBeenCalled();
  });

  it('ok/the same event twice writes once (same inode and mtime)', async () => {
    const p = publisher();
    const { pem, serial } = opensslCertificate();
    const e = caEvent(ExitEvent.CertificateIssued, { serial, certificate: pem });
    await p.handle(e, ctx());
    const file = join((p as unknown as { cfg: { directory: string } }).cfg.directory, `${serial}.pem`);
    const before = statSync(file);
    await new Promise((r) => setTimeout(r, 20));
    await p.handle(e, ctx());
    const after = statSync(file);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(p.writes).toBe(2); // pem + der, once each
  });

  it('ok/a retrieved event without a certificate reads it back from the CA', async () => {
    const p = publisher({ events: [ExitEvent.PendingRetrieved], formats: ['pem'] });
    const { pem, serial } = opensslCertificate();
    const readBack = jest.fn().mockResolvedValue({ certificate: { serial, rawCertificate: pem } });
    await p.handle(caEvent(ExitEvent.PendingRetrieved, { requestId: 7, serial }), ctx({ readBack }));
    expect(readBack).toHaveBeenCalledTimes(1);
    expect(readFileSync(join((p as unknown as { cfg: { directory: string } }).cfg.directory, `${serial}.pem`), 'utf8')).toBe(pem);
  });

  it('ok/revoked removes the files only when configured', async () => {
    const p = publisher({ events: [ExitEvent.CertificateIssued, ExitEvent.CertificateRevoked], removeOnRevoke: true });
    const { pem, serial } = opensslCertificate();
    await p.handle(caEvent(ExitEvent.CertificateIssued, { serial, certificate: pem }), ctx());
    await p.handle(caEvent(ExitEvent.CertificateRevoked, { serial }), ctx());
    expect(readdirSync((p as unknown as { cfg: { directory: string } }).cfg.directory)).toEqual([]);
  });

  it('fail/never overwrites a different certificate under the same serial', async () => {
    const p = publisher({ formats: ['pem'] });
    const { pem, serial } = opensslCertificate();
    const dir = (p as unknown as { cfg: { directory: string } }).cfg.directory;
    await p.handle(caEvent(ExitEvent.CertificateIssued, { serial, certificate: pem }), ctx());
    writeFileSync(join(dir, `${serial}.pem`), 'something else');
    await expect(p.handle(caEvent(ExitEvent.CertificateIssued, { serial, certificate: pem }), ctx())).rejects.toBeInstanceOf(PermanentDeliveryError);
    expect(readFileSync(join(dir, `${serial}.pem`), 'utf8')).toBe('something else');
  });

  it('ok/a publish directory removed while running is created again', async () => {
    const p = publisher();
    const dir = (p as unknown as { cfg: { directory: string } }).cfg.directory;
    const first = opensslCertificate();
    await p.handle(caEvent(ExitEvent.CertificateIssued, { serial: first.serial, certificate: first.pem }), ctx());
    rmSync(dir, { recursive: true });
    const second = opensslCertificate();
    await p.handle(caEvent(ExitEvent.CertificateIssued, { serial: second.serial, certificate: second.pem }), ctx());
    expect(readdirSync(dir).sort()).toEqual([`${second.serial}.der`, `${second.serial}.pem`]);
  });

  it('ok/concurrent events each write their own files, no temporary files left', async () => {
    const p = publisher();
    const certs = Array.from({ length: 6 }, () => opensslCertificate());
    await Promise.all(certs.map((c) => p.handle(caEvent(ExitEvent.CertificateIssued, { serial: c.serial, certificate: c.pem }), ctx())));
    const dir = (p as unknown as { cfg: { directory: string } }).cfg.directory;
    expect(readdirSync(dir).sort()).toEqual(certs.flatMap((c) => [`${c.serial}.der`, `${c.serial}.pem`]).sort());
    for (const c of certs) expect(readFileSync(join(dir, `${c.serial}.pem`), 'utf8')).toBe(c.pem);
    expect(p.writes).toBe(12);
  });

  it('fail/a directory that cannot be created fails the attempt (retried later), naming the cause', async () => {
    const blocker = scratch.unique('a-file');
    writeFileSync(blocker, 'not a directory');
    const p = publisher({ directory: join(blocker, 'out') });
    const { pem, serial } = opensslCertificate();
    const e = await p.handle(caEvent(ExitEvent.CertificateIssued, { serial, certificate: pem }), ctx()).catch((x: Error) => x);
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(PermanentDeliveryError);
    expect(String(e)).toMatch(/ENOTDIR/);
  });

  it('ok/a writer thread that dies fails only what it held; the next event starts a new one', async () => {
    const p = publisher();
    const first = opensslCertificate();
    await p.handle(caEvent(ExitEvent.CertificateIssued, { serial: first.serial, certificate: first.pem }), ctx());
    await (p as unknown as { worker: import('node:worker_threads').Worker }).worker.terminate();
    const second = opensslCertificate();
    await p.handle(caEvent(ExitEvent.CertificateIssued, { serial: second.serial, certificate: second.pem }), ctx());
    const dir = (p as unknown as { cfg: { directory: string } }).cfg.directory;
    expect(readdirSync(dir).sort()).toEqual([`${first.serial}.der`, `${first.serial}.pem`, `${second.serial}.der`, `${second.serial}.pem`].sort());
  });

  it('fail/an attempt cut short stops waiting for the write', async () => {
    const p = publisher();
    const { pem, serial } = opensslCertificate();
    const ac = new AbortController();
    ac.abort(new Error('deadline'));
    await expect(p.handle(caEvent(ExitEvent.CertificateIssued, { serial, certificate: pem }), ctx({ signal: ac.signal }))).rejects.toThrow(/cut short/);
  });

  it('fail/an event without a usable certificate is permanent', async () => {
    await expect(publisher().handle(caEvent(ExitEvent.CertificateIssued, { serial: 'ab', certificate: '-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n' }), ctx())).rejects.toBeInstanceOf(PermanentDeliveryError);
  });
});
