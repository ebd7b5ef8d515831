import { runPluginConformance } from '../src/testing/plugin-conformance.ts';
import { createTestPlugin } from '../src/testing/test-plugin.ts';

// The suite every plugin runs, run here against core's own test plugin.
runPluginConformance(createTestPlugin, {
  cancellableCall: {
    type: 'test',
    method: 'render',
    args: ['cancel me', { steps: 1000, delay_ms: 5 }],
  },
});
