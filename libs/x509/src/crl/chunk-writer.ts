/**
 * Appends DER into fixed-size chunks so a CRL with a million entries is
 * written once, without a growing buffer being copied over and over and
 * without one small Buffer object per entry (which costs more memory than
 * the entry itself). The chunks are joined once, into the final output.
 */
export class ChunkWriter {
  private readonly chunks: Buffer[] = [];
  private cur: Buffer;
  private off = 0;
  private done = 0;

  constructor(private readonly chunkSize = 1 << 20) {
    this.cur = Buffer.allocUnsafe(chunkSize);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.done + this.off;
  }

  /** Room for `n` more bytes in the current chunk (n is small: one entry). */
  private room(n: number): void {
    if (this.off + n <= this.cur.length) return;
    this.chunks.push(this.cur.subarray(0, this.off));
    this.done += this.off;
    this.cur = Buffer.allocUnsafe(Math.max(this.chunkSize, n));
    this.off = 0;
  }

  byte(b: number): void {
    this.room(1);
    this.cur[this.off++] = b;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.cur.set(b, this.off);
    this.off += b.length;
  }

  /** Lower-case hex digits from `start` (even count), as bytes. */
  hex(h: string, start: number): void {
    const n = (h.length - start) >> 1;
    this.room(n);
    this.off += this.cur.write(h.slice(start), this.off, n, 'hex');
  }

  ascii(s: string): void {
    this.room(s.length);
    this.off += this.cur.write(s, this.off, s.length, 'latin1');
  }

  /** A DER length (X.690 8.1.3, definite form, minimal). */
  len(n: number): void {
    if (n < 0x80) return this.byte(n);
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    this.byte(0x80 | bytes.length);
    for (const b of bytes) this.byte(b);
  }

  /** Copies everything written into `target` at `at`; returns the end offset. */
  copyTo(target: Buffer, at: number): number {
    let pos = at;
    for (const c of this.chunks) {
      c.copy(target, pos);
      pos += c.length;
    }
    this.cur.copy(target, pos, 0, this.off);
    return pos + this.off;
  }

  /** Frees the chunks (the writer is unusable afterwards). */
  release(): void {
    this.chunks.length = 0;
    this.cur = Buffer.alloc(0);
    this.off = 0;
  }
}

/** Size of a DER length field for content of `n` bytes. */
export function lengthSize(n: number): number {
  if (n < 0x80) return 1;
  let k = 0;
  for (let v = n; v > 0; v = Math.floor(v / 256)) k++;
  return 1 + k;
}

/** Writes tag + length for content of `n` bytes at `at`; returns the offset after them. */
export function writeHeader(target: Buffer, at: number, tag: number, n: number): number {
  target[at++] = tag;
  if (n < 0x80) {
    target[at++] = n;
    return at;
  }
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  target[at++] = 0x80 | bytes.length;
  for (const b of bytes) target[at++] = b;
  return at;
}
