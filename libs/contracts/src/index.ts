export * from './ca-name';
export * from './enums';
export * from './errors';
export * from './envelope';
export * from './messages';
export * from './subjects';
export * from './attributes';
export * from './text';
