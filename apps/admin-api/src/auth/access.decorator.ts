import { SetMetadata } from '@nestjs/common';
import { type Role } from '@signet/contracts';
import { READ_ROLES, type Access } from './access';

export const ACCESS_KEY = 'signet:access';

/** No token needed (probes, the OpenAPI document). */
export const Public = () => SetMetadata(ACCESS_KEY, { kind: 'public' } satisfies Access);

/** A read; by default any admin role may make it. Role separation does not apply. */
export const Read = (...roles: Role[]) => SetMetadata(ACCESS_KEY, { kind: 'read', roles: roles.length ? roles : READ_ROLES } satisfies Access);

/** A management call: one of `roles`, and subject to role separation. */
export const Manage = (...roles: [Role, ...Role[]]) => SetMetadata(ACCESS_KEY, { kind: 'manage', roles } satisfies Access);
