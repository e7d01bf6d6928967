import { z } from 'zod';
import { CaNameSchema } from '../ca-name';
import { IsoTimeSchema, PemSchema, SerialHexSchema } from './common';

/** ICertRequest::GetCACertificate. */
export const CaCertificateRequestSchema = z.object({ chain: z.boolean().default(false) }).strict();
export type CaCertificateRequest = z.input<typeof CaCertificateRequestSchema>;
export const CaCertificateReplySchema = z.object({
  certificate: PemSchema,
  /** The CA certificate followed by its issuers up to the root, when asked. */
  chain: z.array(PemSchema).max(8).optional(),
});
export type CaCertificateReply = z.infer<typeof CaCertificateReplySchema>;

/**
 * One certificate of the CA by its serial, for a front door (SCEP GetCert,
 * RFC 8894 3.3.4): certificates are public, so the read is the certificate
 * only — no request, no requester. NOT_FOUND when the CA issued none with it.
 */
export const CertificateBySerialRequestSchema = z.object({ serial: SerialHexSchema }).strict();
export type CertificateBySerialRequest = z.infer<typeof CertificateBySerialRequestSchema>;
export const CertificateBySerialReplySchema = z.object({ serial: SerialHexSchema, certificate: PemSchema });
export type CertificateBySerialReply = z.infer<typeof CertificateBySerialReplySchema>;

/** ICertRequest::GetCAProperty — by AD CS property name, or all of them. */
export const CA_PROPERTY_NAMES = [
  'CAName',
  'SanitizedCAName',
  'CAType',
  'Config',
  'CertCount',
  'Templates',
  'PolicyDescription',
  'ExitCount',
  'CACertState',
  'CRLState',
  'CRLUrls',
  'AIAUrls',
  'OCSPUrls',
  'DNSName',
] as const;
export const CaPropertyNameSchema = z.enum(CA_PROPERTY_NAMES);
export type CaPropertyName = z.infer<typeof CaPropertyNameSchema>;
export const CaPropertiesRequestSchema = z.object({ names: z.array(CaPropertyNameSchema).max(32).optional() }).strict();
export type CaPropertiesRequest = z.infer<typeof CaPropertiesRequestSchema>;
export const CaPropertiesReplySchema = z.object({
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()])),
});
export type CaPropertiesReply = z.infer<typeof CaPropertiesReplySchema>;

/** ICertConfig::GetConfig — every CA on the bus answers discovery with one record. */
export const DiscoveryRequestSchema = z.object({}).strict();
export const CaRecordSchema = z.object({
  name: CaNameSchema,
  /** AD CS config string, `host\CAName`. */
  config: z.string().max(512),
  commonName: z.string().max(256),
  sanitizedName: z.string().max(512),
  description: z.string().max(1024),
  status: z.enum(['online', 'no-policy']),
  /** This CA declares itself the default (CC_DEFAULTCONFIG). */
  isDefault: z.boolean(),
  certificate: PemSchema,
  notAfter: IsoTimeSchema,
  policy: z.object({ name: z.string(), version: z.string() }).nullable(),
}).meta({ id: 'CaRecord' });
export type CaRecord = z.infer<typeof CaRecordSchema>;
