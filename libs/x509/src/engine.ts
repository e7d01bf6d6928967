import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';

let initialised = false;

/**
 * Point pkijs at Node's WebCrypto, once. pkijs otherwise looks for a global
 * `crypto` at first use and silently picks whatever it finds; every function
 * in this library that touches pkijs calls this first, so callers cannot
 * forget it. Idempotent and cheap.
 */
export function initCrypto(): void {
  if (initialised) return;
  // Node's webcrypto is the WebCrypto `Crypto`; pkijs's typings name the DOM type.
  const crypto = webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'];
  pkijs.setEngine('node-webcrypto', new pkijs.CryptoEngine({ name: 'node-webcrypto', crypto }));
  initialised = true;
}
