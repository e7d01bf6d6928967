import { generateKeyPairSync } from 'node:crypto';
import { waitFor } from '@signet/testing';
import { createCsr } from '@signet/x509';
import { type AcmeReply, type AcmeTestClient } from '../src/testing/acme-client';

/** What the ACME integration specs share: problem types, CSRs, and an order made ready through its challenges. */
export const PROBLEM = 'urn:ietf:params:acme:error:';

export async function csrFor(names: { type: 'dns' | 'ip'; value: string }[]): Promise<string> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return (await createCsr({ subject: [], sans: names, privateKey })).toString('base64url');
}

/** newOrder → every authorisation's `type` challenge triggered → order ready. */
export async function readyOrder(c: AcmeTestClient, identifiers: { type: 'dns' | 'ip'; value: string }[], type = 'http-01', extra: Record<string, unknown> = {}): Promise<{ url: string; order: any }> {
  const created = await c.post(c.directory.newOrder, { identifiers, ...extra });
  expect(created.status).toBe(201);
  const url = created.headers.get('location')!;
  for (const authzUrl of created.body.authorizations as string[]) {
    const authz = await c.post(authzUrl, undefined);
    const challenge = authz.body.challenges.find((ch: any) => ch.type === type);
    const started = await c.post(challenge.url, {});
    expect(started.status).toBe(200);
    expect(['processing', 'valid']).toContain(started.body.status);
    await waitFor('authorization valid', async () => (await c.post(authzUrl, undefined)).body.status === 'valid', 10_000, 50);
  }
  const order = await c.post(url, undefined);
  expect(order.body.status).toBe('ready');
  return { url, order: order.body };
}

export function problemOf(r: AcmeReply): string {
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return String(r.body.type).replace(PROBLEM, '');
}

