import { z } from 'zod';
import { lineText } from '../text';
import { IsoTimeSchema } from './common';

/** A policy or exit module announcing itself (ICertExit::Initialize's answer). */
export const ModuleRegisterSchema = z
  .object({
    kind: z.enum(['policy', 'exit']),
    name: z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/),
    description: lineText(z.string().max(1024)).default(''),
    version: lineText(z.string().max(64)).default(''),
    /** EXITEVENT_* bits; 0 for policy modules. */
    eventMask: z.number().int().min(0).max(0xffff).default(0),
  })
  .strict();
export type ModuleRegister = z.input<typeof ModuleRegisterSchema>;

export const ModuleRecordSchema = z.object({
  kind: z.enum(['policy', 'exit']),
  name: z.string(),
  description: z.string(),
  version: z.string(),
  eventMask: z.number().int(),
  firstSeen: IsoTimeSchema,
  lastSeen: IsoTimeSchema,
});
export type ModuleRecord = z.infer<typeof ModuleRecordSchema>;
