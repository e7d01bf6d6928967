import { Module } from '@nestjs/common';
import { ChallengeValidator } from './challenge-validator';
import { NetworkChallengeValidator } from './network-validator';
import { loadAcmeValidationConfig, type AcmeValidationConfig } from './validation.config';

/** DI token for the validator's validated settings. */
export const ACME_VALIDATION_CONFIG = Symbol('AcmeValidationConfig');

/**
 * Provides ChallengeValidator (ADR 0036). Its settings are read from the
 * environment when the module is created, so a bad value stops the
 * intermediary at boot with a ConfigError naming the variable.
 */
@Module({
  providers: [
    { provide: ACME_VALIDATION_CONFIG, useFactory: (): AcmeValidationConfig => loadAcmeValidationConfig(process.env) },
    { provide: ChallengeValidator, useFactory: (config: AcmeValidationConfig) => new NetworkChallengeValidator(config), inject: [ACME_VALIDATION_CONFIG] },
  ],
  exports: [ChallengeValidator, ACME_VALIDATION_CONFIG],
})
export class AcmeValidationModule {}
