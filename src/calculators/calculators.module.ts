import { Module } from '@nestjs/common';
import { ProgrammeModule } from '../programme/programme.module';
import { CalculatorsController } from './calculators.controller';

/** The pure calculators of API.md (issue #3 "Endpoints"). */
@Module({ imports: [ProgrammeModule], controllers: [CalculatorsController] })
export class CalculatorsModule {}
