import {
  type CapabilityDefinition,
  coreError,
  defineCapability,
  type Plugin,
  type PluginContext,
} from '@viwo/core';
import {
  interpretWithOllama,
  type OllamaConfig,
  ollamaConfigFromEnv,
} from './ollama-interpreter.ts';
import { type Interpretation, interpretWithRules } from './rule-interpreter.ts';

/** The capability type this plugin registers. */
export const REFINE_CAPABILITY = 'refine';

/** Options of {@link createRefinePlugin}. */
export interface RefinePluginOptions {
  /** Ollama settings; default from `VIWO_OLLAMA_URL` / `VIWO_OLLAMA_MODEL`; null turns it off. */
  ollama?: OllamaConfig | null;
}

interface InterpretOptions {
  negative_prompt?: string;
  engine?: 'auto' | 'rules';
}

/**
 * The refine plugin: capability `refine` with `interpret(prompt, modification, {negative_prompt,
 * engine})`. Rules by default; with an Ollama model configured it asks the model first and falls
 * back to the rules (with a warning in the log) on a timeout, an error or an invalid answer.
 */
export function createRefinePlugin(options: RefinePluginOptions = {}): Plugin {
  let ollama: OllamaConfig | null = null;
  let log: PluginContext['log'] = () => {};

  const rules = (prompt: string, modification: string, negative: string): Interpretation => {
    const outcome = interpretWithRules(prompt, modification, negative);
    if (!outcome.ok) throw coreError('InvalidArgument', outcome.message, ['modification']);
    return outcome.interpretation;
  };

  const capability = defineCapability({
    type: REFINE_CAPABILITY,
    label: 'Refine',
    description:
      'Interprets a modification ("make the ball red") against a prompt: the new prompt, negative prompt, a suggested image-to-image strength and a one-line explanation',
    methods: {
      interpret: {
        label: 'Interpret a modification',
        description:
          'Applies a modification to a prompt (attribute, replace, time/weather, add, remove, more/less, style)',
        params: [
          { name: 'prompt', type: 'text', label: 'Prompt', description: 'The current prompt' },
          {
            name: 'modification',
            type: 'text',
            label: 'Modification',
            description: 'What to change, e.g. "make the ball red"',
          },
          {
            name: 'options',
            type: 'object',
            label: 'Options',
            description: 'Interpretation options; unknown keys are rejected',
            optional: true,
            fields: [
              {
                name: 'negative_prompt',
                type: 'text',
                label: 'Negative prompt',
                description: 'The current negative prompt (removed things are added to it)',
                optional: true,
              },
              {
                name: 'engine',
                type: 'enum',
                label: 'Engine',
                description: 'auto: the Ollama model when configured, else the rules',
                options: ['auto', 'rules'],
                default: 'auto',
                optional: true,
              },
            ],
          },
        ],
        returns: 'object {prompt, negative_prompt, strength, action, explanation}',
        async run(context, prompt, modification, rawOptions) {
          const opts = (rawOptions ?? {}) as InterpretOptions;
          const negative = opts.negative_prompt ?? '';
          const text = String(prompt ?? '');
          const change = String(modification ?? '');
          if (!ollama || opts.engine === 'rules') return rules(text, change, negative);
          try {
            return await interpretWithOllama(ollama, text, change, negative, context.signal);
          } catch (error) {
            if (context.signal.aborted) throw error;
            const reason = error instanceof Error ? error.message : String(error);
            const line = `Ollama model ${ollama.model} at ${ollama.url} gave no usable answer (${reason}); using the rules`;
            log('warn', line);
            context.log('warn', line);
            return rules(text, change, negative);
          }
        },
      },
    },
  });

  return {
    name: 'refine',
    version: '0.1.0',
    async init(context) {
      log = (level, message) => context.log(level, message);
      ollama = options.ollama === undefined ? ollamaConfigFromEnv() : options.ollama;
      if (ollama) context.log('info', `refine asks Ollama model ${ollama.model} at ${ollama.url}`);
    },
    capabilities: (): CapabilityDefinition[] => [capability],
    async dispose() {},
  };
}
