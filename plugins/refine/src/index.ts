export { applyIntent, type EditOutcome, type EditState, mainSubject } from './apply-intent.ts';
export {
  interpretWithOllama,
  OllamaAnswerError,
  type OllamaConfig,
  ollamaConfigFromEnv,
  ollamaText,
  validateOllamaResult,
} from './ollama-interpreter.ts';
export { attributeKind, type Intent, parseModification } from './parse-modification.ts';
export { joinPhrases, splitPhrases } from './prompt-text.ts';
export {
  createRefinePlugin,
  REFINE_CAPABILITY,
  type RefinePluginOptions,
} from './refine-plugin.ts';
export {
  type Interpretation,
  interpretWithRules,
  MAX_MODIFICATION_LENGTH,
  MAX_PROMPT_LENGTH,
  type RefineAction,
  type RuleOutcome,
} from './rule-interpreter.ts';
export { ACTION_STRENGTH, EXAMPLE_FORMS, SCENES, STYLES } from './vocabulary.ts';
