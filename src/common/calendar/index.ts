export * from './iso-date';
export * from './quarter';
export * from './working-days';
