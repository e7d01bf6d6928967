import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { keepIdleConnections } from '@signet/http';
import { createServer, type Server } from 'node:https';
import { type AddressInfo } from 'node:net';
import { type RequestListener } from 'node:http';
import { type SecureContextOptions } from 'node:tls';
import { CONFIG, type IntermediaryConfig } from '../config/config';
import { type TlsCredentials } from './credentials';
import { TlsCertificates } from './tls-certificates.service';

/** TLS 1.2 and 1.3 only. */
const MIN_VERSION = 'TLSv1.2';

function contextOf(c: TlsCredentials): SecureContextOptions {
  return { key: c.key, cert: c.cert, ...(c.ca.length > 0 ? { ca: c.ca } : {}), minVersion: MIN_VERSION };
}

/**
 * The HTTPS listener (ADR 0029): the same Express application as the plain
 * listener, on SIGNET_HTTPS_HOST:SIGNET_HTTPS_PORT, bound once the first
 * certificate is in hand. A renewed certificate replaces the secure context
 * of the running server (`setSecureContext`): new handshakes get it,
 * established connections keep theirs. Clients are asked for a certificate
 * (SIGNET_TLS_CLIENT_AUTH) but not required to send one, and the handshake
 * never rejects one: the client-certificate authenticator decides, so a
 * bad certificate gets a 401 with a reason instead of a TLS alert.
 */
@Injectable()
export class HttpsListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('Https');
  private server?: Server;
  private listening?: Promise<AddressInfo>;
  private resolveListening?: (a: AddressInfo) => void;
  private rejectListening?: (e: Error) => void;

  constructor(
    @Inject(CONFIG) private readonly config: IntermediaryConfig,
    private readonly certificates: TlsCertificates,
    private readonly adapter: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.certificates.enabled) return;
    this.listening = new Promise((resolve, reject) => {
      this.resolveListening = resolve;
      this.rejectListening = reject;
    });
    // An unobserved failure to bind must not be an unhandled rejection; main.ts awaits it.
    this.listening.catch(() => undefined);
    this.certificates.onChange((c) => this.serve(c));
  }

  /** Resolves with the bound address once HTTPS serves (after the first certificate); rejects if it cannot bind. */
  whenListening(): Promise<AddressInfo> {
    if (!this.listening) return Promise.reject(new Error('HTTPS is off (SIGNET_TLS_MODE=off)'));
    return this.listening;
  }

  private serve(c: TlsCredentials): void {
    if (this.server) {
      this.server.setSecureContext(contextOf(c));
      this.log.log(`TLS certificate ${c.serial} now served (valid until ${c.notAfter.toISOString()})`);
      return;
    }
    const app = this.adapter.httpAdapter.getInstance() as RequestListener;
    const server = createServer({ ...contextOf(c), requestCert: this.config.tls.clientAuth, rejectUnauthorized: false }, app);
    keepIdleConnections(server);
    this.server = server;
    server.once('error', (e) => {
      this.log.error(`HTTPS cannot listen on ${this.config.tls.host}:${this.config.tls.port}: ${e.message}`);
      this.rejectListening?.(e);
    });
    server.listen(this.config.tls.port, this.config.tls.host, () => {
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      this.log.log(`listening on https://${host}:${address.port} (certificate ${c.serial}, ${c.source})`);
      this.resolveListening?.(address);
    });
  }

  /** No new connections; requests in flight finish (Nest then closes the plain listener and the bus). */
  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }
}
