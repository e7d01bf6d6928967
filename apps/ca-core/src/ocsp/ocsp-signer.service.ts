import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  createSigner,
  decryptPrivateKey,
  encodeAuthorityKeyIdentifier,
  encodeBasicConstraints,
  encodeExtKeyUsage,
  encodeKeyUsage,
  encodeOcspNoCheck,
  encodeSubjectKeyIdentifier,
  encryptPrivateKey,
  generateKeyPair,
  issueCertificate,
  OID,
  parseCertificate,
  prepareCertificate,
  randomSerialHex,
  subjectKeyIdentifier,
  type Signer,
} from '@signet/x509';
import { DataSource } from 'typeorm';
import { CaKeysService } from '../ca/ca-keys.service';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { REVOCATION_CONFIG, type RevocationConfig } from '../crl/revocation-config';

/** Who signs OCSP responses right now. */
export interface OcspResponder {
  signer: Signer;
  /** Certificates to put in the response: the delegated responder's, none for the CA itself. */
  certs: Buffer[];
  /** Responses must not outlive the responder certificate. */
  notAfter: Date;
  delegatedSerial?: string;
}

interface SignerRow {
  serial: string;
  certificate: Buffer;
  encrypted_key: string;
  not_before: Date;
  not_after: Date;
}

/** Renew once two thirds of the lifetime have passed (the rest is overlap for clocks and caches). */
export function renewalDue(now: Date, notBefore: Date, notAfter: Date): boolean {
  const life = notAfter.getTime() - notBefore.getTime();
  return now.getTime() >= notBefore.getTime() + (life * 2) / 3;
}

/**
 * The OCSP signing key. With SIGNET_OCSP_SIGNER=ca it is the CA's own
 * signer. With `delegated`, ca-core issues itself a short-lived responder
 * certificate (RFC 6960 4.2.2.2: id-kp-OCSPSigning, signed by the CA,
 * id-pkix-ocsp-nocheck so clients need not check its status) and renews it
 * when two thirds of its life are over. Its key is stored encrypted with
 * the CA passphrase, like the CA key (ADR 0004), so all replicas share it;
 * the advisory lock makes one replica issue a renewal, not each of them.
 * The CA key is then only used for certificates and CRLs.
 */
@Injectable()
export class OcspSignerService {
  private readonly log = new Logger('OcspSigner');
  private current?: OcspResponder & { notBefore: Date };
  private pending?: Promise<OcspResponder>;

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    @Inject(REVOCATION_CONFIG) private readonly rc: RevocationConfig,
    private readonly ds: DataSource,
    private readonly keys: CaKeysService,
  ) {}

  async responder(now: Date): Promise<OcspResponder> {
    const ca = this.keys.ca;
    if (this.rc.ocspSigner === 'ca') return { signer: ca.signer, certs: [], notAfter: ca.notAfter };
    const c = this.current;
    if (c && !renewalDue(now, c.notBefore, c.notAfter)) return c;
    // One refresh at a time in this process; others wait for it.
    this.pending ??= this.refresh(now).finally(() => (this.pending = undefined));
    try {
      return await this.pending;
    } catch (e) {
      // Renewal failed, but the current certificate is still valid: keep answering.
      if (c && c.notAfter > now) {
        this.log.warn(`OCSP responder renewal failed, keeping ${c.delegatedSerial}: ${(e as Error).message}`);
        return c;
      }
      throw e;
    }
  }

  private async refresh(now: Date): Promise<OcspResponder> {
    let row = await this.newest(this.ds);
    if (!row || renewalDue(now, row.not_before, row.not_after)) {
      row = await this.ds.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`signet-ocsp-signer:${this.config.caName}`]);
        const again = await this.newest(m);
        if (again && !renewalDue(now, again.not_before, again.not_after)) return again;
        const made = await this.issue(now);
        await m.query(
          `INSERT INTO ocsp_signer (ca_name, serial, certificate, encrypted_key, key_algorithm, not_before, not_after) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [this.config.caName, made.serial, made.certificate, made.encrypted_key, this.rc.ocspSignerKeyAlgorithm, made.not_before, made.not_after],
        );
        this.log.log(`issued OCSP responder certificate ${made.serial}, valid until ${made.not_after.toISOString()}`);
        return made;
      });
    }
    const key = decryptPrivateKey(row.encrypted_key, this.config.keyPassphrase);
    this.current = { signer: createSigner(key), certs: [row.certificate], notBefore: row.not_before, notAfter: row.not_after, delegatedSerial: row.serial };
    return this.current;
  }

  private async newest(m: { query: DataSource['query'] }): Promise<SignerRow | undefined> {
    const [r] = await m.query(
      `SELECT serial, certificate, encrypted_key, not_before, not_after FROM ocsp_signer
        WHERE ca_name = $1 AND key_algorithm = $2 AND not_after > now() ORDER BY not_after DESC LIMIT 1`,
      [this.config.caName, this.rc.ocspSignerKeyAlgorithm],
    );
    return r as SignerRow | undefined;
  }

  /** A responder certificate through the same prepare/lint/sign/verify path as every certificate. */
  private async issue(now: Date): Promise<SignerRow> {
    const ca = this.keys.ca;
    const { privateKey, publicKey } = generateKeyPair(this.rc.ocspSignerKeyAlgorithm);
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000 - this.config.backdateSeconds * 1000);
    let notAfter = new Date(notBefore.getTime() + this.rc.ocspSignerValidityMs);
    if (notAfter > ca.notAfter) notAfter = ca.notAfter;
    const serial = randomSerialHex();
    const org = ca.subject.filter((r) => r.type === 'O');
    const token = prepareCertificate(
      {
        serialHex: serial,
        subject: [...org, { type: 'CN', value: `${ca.commonName} OCSP Responder`.slice(0, 64) }],
        notBefore,
        notAfter,
        spki,
        extensions: [
          { oid: OID.basicConstraints, critical: true, value: encodeBasicConstraints({ ca: false }) },
          { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) },
          { oid: OID.extKeyUsage, critical: false, value: encodeExtKeyUsage([OID.ocspSigning]) },
          { oid: OID.ocspNoCheck, critical: false, value: encodeOcspNoCheck() },
          { oid: OID.subjectKeyIdentifier, critical: false, value: encodeSubjectKeyIdentifier(subjectKeyIdentifier(spki)) },
          { oid: OID.authorityKeyIdentifier, critical: false, value: encodeAuthorityKeyIdentifier(ca.keyId) },
        ],
      },
      { certificateDer: ca.certificateDer, signer: ca.signer },
    );
    const certificate = await issueCertificate(token);
    const parsed = parseCertificate(certificate);
    return { serial, certificate, encrypted_key: encryptPrivateKey(privateKey, this.config.keyPassphrase), not_before: parsed.notBefore, not_after: parsed.notAfter };
  }
}
