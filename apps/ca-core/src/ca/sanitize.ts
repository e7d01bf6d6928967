/**
 * AD CS's sanitized CA name: characters that are unsafe in file names,
 * registry keys and DNs become `!xxxx` (four hex digits of the UTF-16 code
 * unit), as do all non-7-bit characters. `#` becomes `!0023`.
 */
const UNSAFE = new Set('#&*\\{}[]^:,=!()%|+?";/<>'.split(''));

export function sanitizeCaName(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    const code = name.charCodeAt(i);
    out += UNSAFE.has(c) || code > 0x7e || code < 0x20 ? `!${code.toString(16).padStart(4, '0')}` : c;
  }
  return out;
}
