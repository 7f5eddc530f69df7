export {
  type StarterTeamFile,
  starterTeamDefinitions,
  starterTeamFiles,
} from './starter-teams.ts';
export {
  loadTeamDirectories,
  loadTeamDirectory,
  loadTeamFiles,
  type TeamFileSource,
  type TeamLoadResult,
} from './team-directory.ts';
export {
  isTeamFileName,
  parseTeamFile,
  type SerializeTeamFileOptions,
  serializeTeamFile,
  TEAM_FILE_SUFFIX,
  type TeamFileResult,
  teamFileName,
  teamIdFromFileName,
} from './team-file.ts';
export {
  makeTeamFileProblem,
  type TeamFileProblem,
  type TeamFileProblemCode,
  type TeamFileProblemInput,
  teamProblemsError,
} from './team-problems.ts';
export {
  TEAM_FIELDS,
  TEAM_ID_PATTERN,
  TEAM_MODES,
  TEAM_POLICY_LIMITS,
  TEAM_RELATIONSHIPS,
  type TeamFile,
  type TeamPolicyDefaults,
  teamDefinitionSchema,
  teamFileMemberSchema,
  teamFilePolicySchema,
  teamFileSchema,
  teamIdSchema,
  teamMemberSchema,
  teamPolicyDefaults,
  teamPolicySchema,
} from './team-schema.ts';
export {
  type TeamAgentLookup,
  type TeamProblem,
  type TeamProblemCode,
  type ValidateTeamOptions,
  validateTeam,
} from './team-validation.ts';
