/** An ACME answer decided by a service; the controller adds the nonce, Link and caching headers and writes it. */
export interface AcmeAnswer {
  status: number;
  headers: Record<string, string>;
  /** JSON, or a PEM chain (text) for the certificate. */
  body: Record<string, unknown> | string;
  contentType?: string;
}
