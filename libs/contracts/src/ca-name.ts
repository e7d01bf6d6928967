import { z } from 'zod';

/** CA names are subject tokens: lower-case, digits and dashes, 1–63 characters. */
export const CA_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const CaNameSchema = z
  .string()
  .regex(CA_NAME_PATTERN, 'CA name must match ^[a-z0-9][a-z0-9-]{0,62}$')
  .meta({ id: 'CaName', description: 'A CA name: lower-case letters, digits and dashes, 1–63 characters (a subject token)' });

export function isValidCaName(name: string): boolean {
  return CA_NAME_PATTERN.test(name);
}

/** Throws when a CA name could not be used as a subject token. */
export function assertCaName(name: string): string {
  if (!isValidCaName(name)) {
    throw new Error(`invalid CA name "${name}": must match ${CA_NAME_PATTERN.source}`);
  }
  return name;
}
