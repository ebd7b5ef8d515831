export { type CountedPlugin, countMethodRuns } from './count-method-runs.ts';
export {
  type ConformanceOptions,
  type ConformanceSampleCall,
  runPluginConformance,
} from './plugin-conformance.ts';
export { methodCost, runMethod } from './run-method.ts';
export { createFailingPlugin, createTestPlugin, testCapability } from './test-plugin.ts';
