import { Module, type DynamicModule } from '@nestjs/common';
import { type PolicyConfig } from '../config/policy-file.schema';
import { PolicyController } from './policy.controller';
import { PolicyService } from './policy.service';
import { POLICY_CONFIG } from './policy.tokens';

@Module({})
export class PolicyModule {
  /** The policy is loaded and validated before Nest starts, so a bad file never gets this far. */
  static forRoot(policy: PolicyConfig): DynamicModule {
    return {
      module: PolicyModule,
      controllers: [PolicyController],
      providers: [{ provide: POLICY_CONFIG, useValue: policy }, PolicyService],
    };
  }
}
