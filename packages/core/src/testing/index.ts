export {
  type ConformanceOptions,
  type ConformanceSampleCall,
  runPluginConformance,
} from './plugin-conformance.ts';
export { createFailingPlugin, createTestPlugin, testCapability } from './test-plugin.ts';
