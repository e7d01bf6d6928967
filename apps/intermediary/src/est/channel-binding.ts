import { ErrorCode, SignetError } from '@signet/contracts';
import { type TLSSocket } from 'node:tls';

/** RFC 9266 §2: the label of tls-exporter, with an empty context, 32 bytes. */
const EXPORTER_LABEL = 'EXPORTER-Channel-Binding';

export interface ChannelBinding {
  type: 'tls-unique' | 'tls-exporter';
  value: Buffer;
}

/**
 * The TLS session's channel binding, as RFC 7030 §3.5 links a CSR to it:
 * - TLS 1.2 and below: tls-unique (RFC 5929 §3.1), the first Finished
 *   message of the latest handshake: the client's in a full handshake
 *   (the server's peer Finished), the server's own in a resumed one.
 * - TLS 1.3 defines no tls-unique (RFC 8446 C.5); RFC 9266 replaces it
 *   with tls-exporter, the exporter value for `EXPORTER-Channel-Binding`
 *   with an empty context. That is what a TLS 1.3 client must put there.
 * undefined when the socket has neither (no handshake finished).
 */
export function channelBindingOf(socket: TLSSocket): ChannelBinding | undefined {
  if (socket.getProtocol() === 'TLSv1.3') {
    try {
      return { type: 'tls-exporter', value: socket.exportKeyingMaterial(32, EXPORTER_LABEL, Buffer.alloc(0)) };
    } catch {
      return undefined;
    }
  }
  const value = socket.isSessionReused() ? socket.getFinished() : socket.getPeerFinished();
  return value ? { type: 'tls-unique', value } : undefined;
}

/**
 * RFC 7030 §3.5: a CSR whose challengePassword is present must carry the
 * base64 of this session's channel binding; otherwise it was made for
 * another TLS session (a relayed or replayed request), and is refused with
 * 401 (`details.reason: channel-binding`) before anything is submitted.
 * Without a challengePassword there is nothing to check: the binding is the
 * client's option (RFC 7030 §3.5 "if ... the client supports it").
 */
export function checkChannelBinding(challengePassword: string | undefined, binding: ChannelBinding | undefined): void {
  if (challengePassword === undefined) return;
  if (binding === undefined || challengePassword !== binding.value.toString('base64')) {
    throw new SignetError(
      ErrorCode.Unauthorized,
      `the request's challengePassword is not this TLS session's ${binding?.type ?? 'channel binding'} (RFC 7030 §3.5; TLS 1.3: tls-exporter, RFC 9266)`,
      { reason: 'channel-binding' },
    );
  }
}
