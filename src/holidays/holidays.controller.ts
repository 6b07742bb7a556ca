import { NotAWrite } from '../common/http/audit-export';
import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, Matches } from 'class-validator';
import { CurrentPrincipal, Principal, Roles } from '../common/access/principal';
import { addWorkingDays } from '../common/calendar/working-days';
import { DateField, IntField, TextField } from '../common/http/fields';
import { HolidaysService } from './holidays.service';

export class HolidayYearDto {
  @TextField({ example: '国办发明电〔2026〕N号', maxLength: 200, description: 'The notice the schedule comes from.' })
  source!: string;

  @ApiProperty({ type: [String], example: ['2027-01-01', '2027-02-05'], description: 'Every official day off of the year (weekend days may be listed).' })
  @IsArray()
  @ArrayMaxSize(366)
  @IsString({ each: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { each: true })
  holidays!: string[];

  @ApiProperty({ type: [String], example: ['2027-02-13'], description: 'Weekend days that are working days (调休上班).' })
  @IsArray()
  @ArrayMaxSize(366)
  @IsString({ each: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { each: true })
  workdays!: string[];
}

export class WorkingDaysQuery {
  @DateField({ example: '2027-02-01' })
  from!: string;

  @IntField({ min: 0, max: 1000, example: 10 })
  days!: number;
}

/** The PRC calendar (RULES §9): coverage, warnings, and the trustee's loading of a year's schedule. */
@ApiTags('Calendar')
@ApiBearerAuth()
@Controller('v1/calendar')
export class HolidaysController {
  constructor(private readonly holidays: HolidaysService) {}

  @Get()
  @ApiOperation({ summary: 'Which source decides the current and next year’s working days, with warnings for a year on the statutory fallback.' })
  status() {
    return this.holidays.status();
  }

  @Get('years/:year')
  @ApiOperation({ summary: 'One year: its source (loaded, override, package, fallback) and the schedule loaded through the API, if any.' })
  year(@Param('year', ParseIntPipe) year: number) {
    return this.holidays.year(year);
  }

  @Put('years/:year')
  @Roles('trustee')
  @ApiOperation({
    summary: 'Load (or reload) a year’s official holidays and adjusted working days (trustee); stored and dated, applied at once.',
    description: 'Every date must lie in the year and no day may be both off and worked (400 HOLIDAYS.INVALID). Deadlines computed before are not recomputed.',
  })
  load(@Param('year', ParseIntPipe) year: number, @Body() dto: HolidayYearDto, @CurrentPrincipal() principal: Principal) {
    return this.holidays.load(year, dto, principal?.tokenId ?? null);
  }

  @Post('working-days')
  @NotAWrite()
  @HttpCode(200)
  @ApiOperation({ summary: 'The n-th working day after a date on the current calendar (a check for the loaded schedule).' })
  workingDays(@Body() q: WorkingDaysQuery) {
    return { from: q.from, days: q.days, date: addWorkingDays(q.from, q.days) };
  }
}
