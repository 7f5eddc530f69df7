export { MODEL_ID_EXPECTED, MODEL_ID_PATTERN, modelIdSchema } from './model-id.ts';
export {
  DEFAULT_MODEL_PRICING,
  lookupModelPrice,
  modelPriceSchema,
  ZERO_PRICE_PROVIDERS,
} from './pricing.ts';
export {
  loadSettings,
  readSettingsFile,
  SETTINGS_FILE_NAME,
  settingsFilePath,
  writeSettingsFile,
} from './settings-file.ts';
export {
  describeSettingKey,
  getSetting,
  listSettingKeys,
  parseSettingValue,
  type ResolvedSettingKey,
  resetSettings,
  resolveSettingKey,
  type SettingKeyInfo,
  setSetting,
} from './settings-keys.ts';
export {
  deepMerge,
  defaultSettings,
  parseSettings,
  SETTINGS_FILE_META_KEYS,
  type SettingsFile,
  type SettingsProblem,
  type SettingsProblemCode,
  type SettingsValidation,
  settingsProblemsError,
  validateSettings,
} from './settings-parse.ts';
export {
  type AcpSettings,
  type AgentsSettings,
  type ConversationSettings,
  type EscalationSettings,
  type ExecutionSettings,
  type HandoffSettings,
  type HighwaySettings,
  type LoggingSettings,
  type MethodologySettings,
  type ProgressSettings,
  type RoutingSettings,
  SETTINGS_GROUPS,
  SETTINGS_SCHEMA_VERSION,
  type ServerSettings,
  type Settings,
  type SettingsGroup,
  type SharedStateSettings,
  settingsSchema,
} from './settings-schema.ts';
