export * from './decimal';
export * from './money';
export * from './rate';
export * from './money-parse';
export * from './fen';
export * from './simple-interest';
