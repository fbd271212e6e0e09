// lib/core: every platform fact and rule, free of any IaC SDK.
export * from './model';
export * from './errors';
export * from './checksums';
export * from './assembly';
export * from './platforms';
export * from './runtimes';
export * from './runtime-sdks';
export * from './arn';
export * from './validate';
export * from './grants';
export * from './findings';
export * from './context';
export * from './stack';
export * from './rules';
