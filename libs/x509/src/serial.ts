import { randomBytes } from 'node:crypto';

/**
 * A fresh certificate serial: 16 random bytes (128 bits, above the CA/B
 * Forum's 64-bit minimum), lower-case hex. The top bit is cleared so the DER
 * INTEGER is positive without a padding byte, and the first byte is non-zero
 * so the encoding is exactly 16 octets (a leading 00 would not be minimal).
 */
export function randomSerialHex(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f;
  while (b[0] === 0) b[0] = randomBytes(1)[0] & 0x7f;
  return b.toString('hex');
}
