import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { DomainError } from '../common/errors/domain-error';
import { AUTH_ERRORS } from './auth.errors';
import { CodeField, IntField, TextField } from '../common/http/fields';
import { DEFAULT_PAGE_LIMIT, PageQueryDto } from '../common/http/pagination';
import { ROLES, Role } from '../common/access/principal';
import { AuthService } from './auth.service';
import { CurrentPrincipal, Principal, Roles } from '../common/access/principal';

export class IssueTokenDto {
  @ApiProperty({ enum: ROLES, example: 'bank' })
  @IsIn(ROLES as unknown as string[])
  role!: Role;

  @CodeField({ optional: true, description: 'The bank or agency this token acts for (bank and agency roles); it must exist.' })
  partyCode?: string;

  @TextField({ optional: true, maxLength: 200, description: 'Who holds the token (one token per person: four eyes compares tokens).' })
  label?: string;

  @IntField({ optional: true, min: 1, max: 3650, description: 'Days until the token expires (default TOKEN_TTL_DAYS, 90).' })
  expiresInDays?: number;
}

export class ListTokensQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES as unknown as string[])
  role?: Role;

  @CodeField({ optional: true })
  partyCode?: string;
}

@ApiTags('Auth')
@ApiBearerAuth()
@Controller('v1/tokens')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post()
  @Roles('trustee')
  @ApiOperation({ summary: 'Issue a token for a party (the value is shown once); it expires after expiresInDays (default 90).' })
  async issue(@Body() dto: IssueTokenDto, @CurrentPrincipal() principal: Principal) {
    const needsParty = dto.role === 'bank' || dto.role === 'agency';
    if (needsParty !== Boolean(dto.partyCode)) {
      throw DomainError.invalid(
        AUTH_ERRORS.PARTY_CODE,
        needsParty ? 'A bank or agency token needs partyCode.' : 'Only bank and agency tokens take a partyCode.',
      );
    }
    const issued = await this.auth.issue(dto.role, dto.partyCode ?? null, dto.label ?? '', { expiresInDays: dto.expiresInDays, issuedBy: principal.tokenId });
    return { id: issued.id, token: issued.token, role: dto.role, partyCode: dto.partyCode ?? null, expiresAt: issued.expiresAt.toISOString() };
  }

  @Get()
  @Roles('trustee', 'auditor')
  @ApiOperation({ summary: 'Every token, newest first, without its value: role, party, label, status, expiry, revocation, last use (to within the token cache bound).' })
  list(@Query() q: ListTokensQuery) {
    return this.auth.list({ role: q.role, partyCode: q.partyCode }, q.limit ?? DEFAULT_PAGE_LIMIT, q.cursor);
  }

  @Get('me')
  @ApiOperation({ summary: 'Who the presented token belongs to.' })
  me(@CurrentPrincipal() principal: Principal) {
    return { id: principal.tokenId, role: principal.role, partyCode: principal.partyCode };
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('trustee')
  @ApiOperation({ summary: 'Revoke a token: refused at once by this instance, by every instance within TOKEN_CACHE_SECONDS (default 5 s).' })
  async revoke(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    if (!(await this.auth.revoke(id))) throw DomainError.notFound(AUTH_ERRORS.TOKEN_NOT_FOUND, 'No active token with that id.');
  }
}
