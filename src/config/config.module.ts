import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig, loadConfig } from './app-config';

@Global()
@Module({})
export class ConfigModule {
  /** `overrides` lets tests and scripts change a value without touching process.env. */
  static forRoot(overrides: Partial<AppConfig> = {}): DynamicModule {
    const config: AppConfig = { ...loadConfig(), ...overrides };
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}
