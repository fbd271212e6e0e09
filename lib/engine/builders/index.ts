// What every source kind's builder shares: the build context and running a tool.
export * from './context';
export * from './exec';
