import { EXIT_EVENT_BIT, type CaEvent, type ExitEvent } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_DELIVERY, type DeliverySettings } from '../config/exit-config.schema';
import { type DeliveryContext } from '../modules/types';

/** Test-only helpers (excluded from the build). */

/** A self-signed certificate made by openssl, with its serial as Signet writes it. */
export function opensslCertificate(cn = 'files.example.test'): { pem: string; serial: string } {
  const dir = new ScratchDir('signet-exit-cert-');
  try {
    const serial = `1${randomBytes(15).toString('hex')}`;
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', dir.path('k'), '-out', dir.path('c'), '-subj', `/CN=${cn}`, '-days', '1', '-set_serial', `0x${serial}`], { stdio: 'pipe' });
    return { pem: dir.read('c'), serial };
  } finally {
    dir.remove();
  }
}

export function caEvent(event: ExitEvent, fields: Partial<CaEvent> = {}, ca = 'signet'): CaEvent {
  return { id: randomUUID(), event, eventBit: EXIT_EVENT_BIT[event], ca, occurredAt: new Date().toISOString(), ...fields };
}

export function ctx(over: Partial<DeliveryContext> = {}): DeliveryContext {
  return { signal: new AbortController().signal, attempt: 1, readBack: () => Promise.reject(new Error('no read-back in this test')), ...over };
}

export function delivery(over: Partial<DeliverySettings> = {}): DeliverySettings {
  return { ...DEFAULT_DELIVERY, ...over, retry: { ...DEFAULT_DELIVERY.retry, ...over.retry } };
}
