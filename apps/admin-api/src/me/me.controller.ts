import { Controller, Get, Inject } from '@nestjs/common';
import { SEPARATED_ROLES, type Actor } from '@signet/contracts';
import { CurrentActor } from '../auth/actor.decorator';
import { Read } from '../auth/access.decorator';
import { CONFIG, type AdminConfig } from '../config/config';

/** ICertAdmin2::GetMyRoles: who the token belongs to and what it may do here. */
@Controller('api/v1/me')
export class MeController {
  constructor(@Inject(CONFIG) private readonly config: AdminConfig) {}

  @Get()
  @Read()
  me(@CurrentActor() actor: Actor) {
    const separated = actor.roles.filter((r) => SEPARATED_ROLES.includes(r));
    return {
      ca: this.config.caName,
      name: actor.name,
      roles: actor.roles,
      roleSeparation: this.config.roleSeparation,
      /** False when role separation refuses this caller every management call. */
      mayManage: !(this.config.roleSeparation && separated.length >= 2),
    };
  }
}
