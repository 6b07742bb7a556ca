import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HolidayCalendar } from './holiday-calendar.entity';
import { HolidaysController } from './holidays.controller';
import { HolidaysService } from './holidays.service';

/** PRC holiday schedules loaded by the trustee, applied to the service's calendar (RULES §9). */
@Module({
  imports: [TypeOrmModule.forFeature([HolidayCalendar])],
  controllers: [HolidaysController],
  providers: [HolidaysService],
  exports: [HolidaysService],
})
export class HolidaysModule {}
