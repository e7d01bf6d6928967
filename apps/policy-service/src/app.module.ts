import { Module, type DynamicModule } from '@nestjs/common';
import { type PolicyConfig } from './config/policy-file.schema';
import { PolicyModule } from './policy/policy.module';

@Module({})
export class AppModule {
  static forRoot(policy: PolicyConfig): DynamicModule {
    return { module: AppModule, imports: [PolicyModule.forRoot(policy)] };
  }
}
