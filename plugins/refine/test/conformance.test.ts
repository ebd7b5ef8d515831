import { runPluginConformance } from '@viwo/core/testing';
import { createRefinePlugin } from '../src/refine-plugin.ts';

runPluginConformance(() => createRefinePlugin({ ollama: null }), { timeoutMs: 30_000 });
