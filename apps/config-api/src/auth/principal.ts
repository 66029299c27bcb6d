import type { Role } from '@hookline/access-data-access';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Who is calling: the company and role its API key is bound to. */
export interface Principal {
  readonly keyId: string;
  readonly company: string;
  readonly role: Role;
}

export interface AuthenticatedRequest {
  principal?: Principal;
}

/** The authenticated caller of this request (set by {@link ApiKeyGuard}). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw new Error('CurrentPrincipal used on a route without ApiKeyGuard');
    return principal;
  },
);
