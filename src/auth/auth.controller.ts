import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { DomainError } from '../common/errors/domain-error';
import { AUTH_ERRORS } from './auth.errors';
import { CodeField, TextField } from '../common/http/fields';
import { ROLES, Role } from '../common/access/principal';
import { AuthService } from './auth.service';
import { CurrentPrincipal, Principal, Roles } from '../common/access/principal';

export class IssueTokenDto {
  @ApiProperty({ enum: ROLES, example: 'bank' })
  @IsIn(ROLES as unknown as string[])
  role!: Role;

  @CodeField({ optional: true, description: 'The bank or agency this token acts for (bank and agency roles).' })
  partyCode?: string;

  @TextField({ optional: true, maxLength: 200 })
  label?: string;
}

@ApiTags('Auth')
@ApiBearerAuth()
@Controller('v1/tokens')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post()
  @Roles('trustee')
  @ApiOperation({ summary: 'Issue a token for a party (the value is shown once).' })
  async issue(@Body() dto: IssueTokenDto) {
    const needsParty = dto.role === 'bank' || dto.role === 'agency';
    if (needsParty !== Boolean(dto.partyCode)) {
      throw DomainError.invalid(
        AUTH_ERRORS.PARTY_CODE,
        needsParty ? 'A bank or agency token needs partyCode.' : 'Only bank and agency tokens take a partyCode.',
      );
    }
    const issued = await this.auth.issue(dto.role, dto.partyCode ?? null, dto.label ?? '');
    return { id: issued.id, token: issued.token, role: dto.role, partyCode: dto.partyCode ?? null };
  }

  @Get('me')
  @ApiOperation({ summary: 'Who the presented token belongs to.' })
  me(@CurrentPrincipal() principal: Principal) {
    return { id: principal.tokenId, role: principal.role, partyCode: principal.partyCode };
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('trustee')
  @ApiOperation({ summary: 'Revoke a token.' })
  async revoke(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    if (!(await this.auth.revoke(id))) throw DomainError.notFound(AUTH_ERRORS.TOKEN_NOT_FOUND, 'No active token with that id.');
  }
}
