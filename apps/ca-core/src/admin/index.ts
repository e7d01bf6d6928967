import { type Provider, type Type } from '@nestjs/common';

/** ICertAdmin / ICertView handlers (administration). Registered by CaCoreModule. */
export const ADMIN_CONTROLLERS: Type[] = [];
export const ADMIN_PROVIDERS: Provider[] = [];
