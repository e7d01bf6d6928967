import { Controller, Inject, Injectable } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Commands, type ModuleRecord } from '@signet/contracts';
import { DataSource } from 'typeorm';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';

interface Registration {
  kind: 'policy' | 'exit';
  name: string;
  description: string;
  version: string;
  eventMask: number;
}

/** The modules this CA knows (AD CS: the registered policy and exit modules). */
@Injectable()
export class ModuleRegistry {
  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly ds: DataSource,
  ) {}

  async record(r: Registration): Promise<ModuleRecord> {
    const rows = await this.ds.query(
      `INSERT INTO module_registration (ca_name, kind, name, description, version, event_mask) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (ca_name, kind, name) DO UPDATE SET description = EXCLUDED.description, version = EXCLUDED.version,
         event_mask = EXCLUDED.event_mask, last_seen = now()
       RETURNING kind, name, description, version, event_mask, first_seen, last_seen`,
      [this.config.caName, r.kind, r.name, r.description, r.version, r.eventMask],
    );
    return toRecord(rows[0]);
  }

  async list(): Promise<ModuleRecord[]> {
    const rows = await this.ds.query(
      `SELECT kind, name, description, version, event_mask, first_seen, last_seen FROM module_registration WHERE ca_name = $1 ORDER BY kind, name`,
      [this.config.caName],
    );
    return rows.map(toRecord);
  }
}

function toRecord(r: Record<string, unknown>): ModuleRecord {
  return {
    kind: r.kind as 'policy' | 'exit',
    name: r.name as string,
    description: r.description as string,
    version: r.version as string,
    eventMask: r.event_mask as number,
    firstSeen: (r.first_seen as Date).toISOString(),
    lastSeen: (r.last_seen as Date).toISOString(),
  };
}

/** Late-starting modules announce themselves here. */
@Controller()
export class ModuleRegistryController {
  constructor(private readonly registry: ModuleRegistry) {}

  @MessagePattern(Commands.moduleRegister.name)
  register(@Payload() r: Registration): Promise<ModuleRecord> {
    return this.registry.record(r);
  }
}
