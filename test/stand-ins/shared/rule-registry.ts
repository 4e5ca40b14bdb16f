/** Re-export: the fault rule registry lives in lib/replay-exchange/shared/rule-registry.ts. */
export * from '../../../lib/replay-exchange/shared/rule-registry.ts';
