/**
 * The execution providers the runtime knows by name: the bottom of runtime/, imported by the provider chains
 * (execution-providers.ts) and the adapter probe (adapters.ts) alike.
 */
export type ExecutionProviderName = 'webgpu' | 'dml' | 'coreml' | 'cuda' | 'cpu';

export const EXECUTION_PROVIDER_NAMES: readonly ExecutionProviderName[] = ['webgpu', 'dml', 'coreml', 'cuda', 'cpu'];

export function isExecutionProviderName(value: string): value is ExecutionProviderName {
  return (EXECUTION_PROVIDER_NAMES as readonly string[]).includes(value);
}
