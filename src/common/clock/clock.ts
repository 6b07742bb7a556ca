import { Injectable } from '@nestjs/common';

/** The service's notion of now; injected so tests freeze it (STYLE.md "Tests"). */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }

  /** Today's business date in China (UTC+8), as YYYY-MM-DD. */
  today(): string {
    return new Date(this.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  }
}

/** A clock that stays where a test puts it. */
export class FixedClock extends Clock {
  constructor(private instant: Date) {
    super();
  }
  override now(): Date {
    return this.instant;
  }
  set(instant: Date): void {
    this.instant = instant;
  }
}
