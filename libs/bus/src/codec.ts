import { ErrorCode, LIMITS, SignetError, type BusErrorBody, type ReplyEnvelope } from '@signet/contracts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Decodes a bus payload as JSON, with a size limit and a typed error. */
export function decodeJson(data: Uint8Array, maxBytes: number = LIMITS.busMessageBytes): unknown {
  if (data.byteLength > maxBytes) {
    throw new SignetError(ErrorCode.TooLarge, `message of ${data.byteLength} bytes exceeds ${maxBytes}`);
  }
  let text: string;
  try {
    text = decoder.decode(data);
  } catch {
    throw new SignetError(ErrorCode.BadMessage, 'message is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new SignetError(ErrorCode.BadMessage, 'message is not valid JSON');
  }
}

export function okEnvelope<T>(data: T): ReplyEnvelope<T> {
  return { ok: true, data };
}

export function errorEnvelope(error: BusErrorBody): ReplyEnvelope<never> {
  return { ok: false, error };
}
