import { type Action, can, type ApiKeyStore } from '@hookline/access-data-access';
import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { API_KEY_STORE } from '../tokens';
import type { AuthenticatedRequest } from './principal';
import { REQUIRED_ACTION } from './required-action';

/** Authenticates `Authorization: Bearer <key>` and checks the role against the route's action. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1]) {
      throw new UnauthorizedException('An API key is required: Authorization: Bearer <key>');
    }
    const principal = await this.keys.authenticate(match[1]);
    if (!principal) throw new UnauthorizedException('The API key is unknown or revoked');

    const action = this.reflector.getAllAndOverride<Action | undefined>(REQUIRED_ACTION, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (action && !can(principal.role, action)) {
      throw new ForbiddenException(`A ${principal.role} key may not ${action}`);
    }
    request.principal = principal;
    return true;
  }
}
