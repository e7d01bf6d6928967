import { NatsEnvSchema } from '@signet/config';
import { CaNameSchema } from '@signet/contracts';

export const ExitEnvSchema = NatsEnvSchema.extend({ SIGNET_CA_NAME: CaNameSchema.default('signet') });
