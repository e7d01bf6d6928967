import type { AddressPolicy } from './address-policy';
import type { ValidationDns } from './dns';
import type { Deadline } from './outcome';
import type { AcmeValidationConfig } from './validation.config';

/** What one validation runs with: the settings, the address policy, its own resolver and its deadline. */
export interface ValidationContext {
  config: AcmeValidationConfig;
  policy: AddressPolicy;
  dns: ValidationDns;
  deadline: Deadline;
}
