import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CA_PROPERTY_NAMES,
  Commands,
  Discovery,
  type CaCertificateReply,
  type CaPropertiesReply,
  type CaPropertiesRequest,
  type CaRecord,
} from '@signet/contracts';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { Clock } from '../clock';
import { CrlStore } from '../crl/crl.store';
import { REVOCATION_CONFIG, type RevocationConfig } from '../crl/revocation-config';
import { PolicyClient } from '../policy/policy.client';
import { RequestStore } from '../requests/request.store';
import { ModuleRegistry } from '../registry/module.registry';
import { CaKeysService } from './ca-keys.service';
import { sanitizeCaName } from './sanitize';

/** GetCACertificate, GetCAProperty and ICertConfig discovery. */
@Controller()
export class CaController {
  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly keys: CaKeysService,
    private readonly policy: PolicyClient,
    private readonly store: RequestStore,
    private readonly registry: ModuleRegistry,
    @Inject(REVOCATION_CONFIG) private readonly revocation: RevocationConfig,
    private readonly crls: CrlStore,
    private readonly clock: Clock,
  ) {}

  @MessagePattern(Commands.caCertificate.name)
  certificate(@Payload() req: { chain: boolean }): CaCertificateReply {
    const ca = this.keys.ca;
    return req.chain ? { certificate: ca.certificatePem, chain: [ca.certificatePem, ...ca.chainPem] } : { certificate: ca.certificatePem };
  }

  @MessagePattern(Commands.caProperties.name)
  async properties(@Payload() req: CaPropertiesRequest): Promise<CaPropertiesReply> {
    const ca = this.keys.ca;
    const names = req.names ?? [...CA_PROPERTY_NAMES];
    const all: CaPropertiesReply['properties'] = {};
    for (const n of names) {
      switch (n) {
        case 'CAName': all[n] = ca.commonName; break;
        case 'SanitizedCAName': all[n] = sanitizeCaName(ca.commonName); break;
        // AD CS CAType: standalone root = 3, standalone subordinate = 4.
        case 'CAType': all[n] = ca.selfSigned ? 3 : 4; break;
        case 'Config': all[n] = this.keys.configString(); break;
        case 'CertCount': all[n] = await this.store.countCertificates(this.config.caName); break;
        case 'Templates': all[n] = this.policy.description?.templates ?? []; break;
        case 'PolicyDescription': all[n] = this.policy.description ? `${this.policy.description.name} ${this.policy.description.version}: ${this.policy.description.description}` : null; break;
        case 'ExitCount': all[n] = (await this.registry.list()).filter((m) => m.kind === 'exit').length; break;
        case 'CACertState': all[n] = ca.notAfter > this.clock.now() ? 'valid' : 'expired'; break;
        // The newest base CRL: valid until its nextUpdate, expired after; null before the first one.
        case 'CRLState': {
          const base = await this.crls.latest(this.config.caName, false);
          all[n] = base ? (base.nextUpdate > this.clock.now() ? 'valid' : 'expired') : null;
          break;
        }
        // What issued certificates carry (CDP with the freshest CRL while deltas are issued, AIA caIssuers, AIA OCSP).
        case 'CRLUrls': all[n] = [...this.revocation.crlUrls, ...this.revocation.freshestCrlUrls]; break;
        case 'AIAUrls': all[n] = [...this.revocation.caIssuersUrls]; break;
        case 'OCSPUrls': all[n] = [...this.revocation.ocspUrls]; break;
        case 'DNSName': all[n] = this.config.host; break;
      }
    }
    return { properties: all };
  }

  @MessagePattern(Discovery.name)
  discovery(): CaRecord {
    const ca = this.keys.ca;
    const p = this.policy.description;
    return {
      name: this.config.caName,
      config: this.keys.configString(),
      commonName: ca.commonName,
      sanitizedName: sanitizeCaName(ca.commonName),
      description: this.config.description,
      status: p ? 'online' : 'no-policy',
      isDefault: this.config.isDefault,
      certificate: ca.certificatePem,
      notAfter: ca.notAfter.toISOString(),
      policy: p ? { name: p.name, version: p.version } : null,
    };
  }
}
