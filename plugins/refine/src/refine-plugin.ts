import {
  type CapabilityDefinition,
  CapabilityError,
  defineCapability,
  defineMethod,
  type Plugin,
  type PluginContext,
  param,
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
    if (!outcome.ok) {
      throw new CapabilityError('InvalidArgument', outcome.message, { param: 'modification' });
    }
    return outcome.interpretation;
  };

  const capability = defineCapability({
    type: REFINE_CAPABILITY,
    label: 'Refine',
    description:
      'Interprets a modification ("make the ball red") against a prompt: the new prompt, negative prompt, a suggested image-to-image strength and a one-line explanation',
    methods: {
      interpret: defineMethod({
        label: 'Interpret a modification',
        description:
          'Applies a modification to a prompt (attribute, replace, time/weather, add, remove, more/less, style)',
        params: [
          param.text({ name: 'prompt', label: 'Prompt', description: 'The current prompt' }),
          param.text({
            name: 'modification',
            label: 'Modification',
            description: 'What to change, e.g. "make the ball red"',
          }),
          param.object(
            {
              negative_prompt: param.text({
                label: 'Negative prompt',
                description: 'The current negative prompt (removed things are added to it)',
                optional: true,
              }),
              engine: param.enum(['auto', 'rules'], {
                label: 'Engine',
                description: 'auto: the Ollama model when configured, else the rules',
                default: 'auto',
              }),
            },
            {
              name: 'options',
              label: 'Options',
              description: 'Interpretation options; unknown keys are rejected',
              optional: true,
            },
          ),
        ],
        returns: 'object {prompt, negative_prompt, strength, action, explanation}',
        async run(context, prompt, modification, options) {
          const negative = options?.negative_prompt ?? '';
          if (!ollama || options?.engine === 'rules') return rules(prompt, modification, negative);
          try {
            return await interpretWithOllama(
              ollama,
              prompt,
              modification,
              negative,
              context.signal,
            );
          } catch (error) {
            if (context.signal.aborted) throw error;
            const reason = error instanceof Error ? error.message : String(error);
            const line = `Ollama model ${ollama.model} at ${ollama.url} gave no usable answer (${reason}); using the rules`;
            log('warn', line);
            context.log('warn', line);
            return rules(prompt, modification, negative);
          }
        },
      }),
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
