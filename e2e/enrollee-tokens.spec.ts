import { generateAssertionKeyPair } from '@signet/assertions';
import { ScratchDir } from '@signet/testing';
import { generateKeyPairSync } from 'node:crypto';
import { ServiceProcess, waitFor } from './support/processes';

// The built intermediary and its token methods' configuration (ADR 0031): a
// method that is misconfigured stops the process at start with a reason
// naming the variable, and never prints key material; a correct one starts.

const NATS_URL = process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222';
const scratch = new ScratchDir('signet-e2e-tokens-');
afterAll(() => scratch.remove());

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const privatePem = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
// Every intermediary signs who asks for ca-core (ADR 0026): without its front-door key it does not start at all.
const base = { SIGNET_NATS_URL: NATS_URL, SIGNET_HTTP_PORT: '0', SIGNET_FRONT_DOOR_KEY: generateAssertionKeyPair().privateKeyPem };

async function exitOf(p: ServiceProcess): Promise<number | null> {
  await waitFor('the intermediary to exit', async () => !p.running, 30_000, 50);
  return p.stop();
}

describe('the intermediary with enrollment tokens and OIDC configured', () => {
  it.each([
    ['a private key registered as an enrollment key', 'SIGNET_ENROLLMENT_KEYS_FILE', () => ({ SIGNET_ENROLLMENT_KEYS_FILE: scratch.write('private.pem', `name: ops\n${privatePem}`), SIGNET_ENROLLMENT_TOKEN_AUDIENCE: 'https://pki.example.com' })],
    ['enrollment keys without an audience', 'SIGNET_ENROLLMENT_TOKEN_AUDIENCE', () => ({ SIGNET_ENROLLMENT_KEYS_FILE: scratch.write('public.pem', `name: ops\n${publicPem}`) })],
    ['an OIDC issuer without a client id', 'SIGNET_OIDC_CLIENT_ID', () => ({ SIGNET_OIDC_ISSUER: 'https://idp.example.com' })],
    ['an HMAC algorithm for OIDC', 'SIGNET_OIDC_ALGORITHMS', () => ({ SIGNET_OIDC_ISSUER: 'https://idp.example.com', SIGNET_OIDC_CLIENT_ID: 'signet', SIGNET_OIDC_ALGORITHMS: 'HS256' })],
  ])('fail/%s: exits 1 at start naming %s', async (_n, variable, env) => {
    const p = new ServiceProcess('intermediary', { ...base, ...env() });
    p.start();
    expect(await exitOf(p)).toBe(1);
    expect(p.log()).toContain(variable);
    expect(p.log()).not.toContain('SIGNET_FRONT_DOOR_KEY');
    expect(p.log()).not.toContain(privatePem.split('\n')[1]);
  });

  it('ok/both methods configured: it starts and listens', async () => {
    const p = new ServiceProcess('intermediary', {
      ...base,
      SIGNET_ENROLLMENT_KEYS_FILE: scratch.write('ok.pem', `name: ops\n${publicPem}`),
      SIGNET_ENROLLMENT_TOKEN_AUDIENCE: 'https://pki.example.com',
      SIGNET_OIDC_ISSUER: 'https://idp.example.com',
      SIGNET_OIDC_CLIENT_ID: 'signet',
    });
    p.start();
    try {
      await waitFor('the intermediary to listen', async () => /listening on http:\/\//.test(p.log()) || (!p.running ? Promise.reject(new Error(p.log())) : false), 60_000, 100);
    } finally {
      expect(await p.stop()).toBe(0);
    }
  });
});
