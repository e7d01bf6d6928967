import { type Provider, type Type } from '@nestjs/common';

/** ICertServerExit read-back and the exit-module roll call. Registered by CaCoreModule. */
export const EXIT_CONTROLLERS: Type[] = [];
export const EXIT_PROVIDERS: Provider[] = [];
