export * from './options';
export * from './slim';
export { DEFAULT_PROFILE, DEFAULT_RULE_IDS, STRIP_RULE_ID, type SlimRule } from './profile';
export { STRIP_DENY_LIST } from './strip';
export { parseElf, stripHazard, sameProgramHeaders, type ElfLayout } from './elf';
export { importedModules } from './imports';
