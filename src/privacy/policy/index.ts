/**
 * Exclusion and eligibility policy: what may be recorded at all, decided at record time (the
 * recorder's DocumentResolver asks the `PolicyGate`) and again at bundle time
 * (`applyPolicyToEvents`). No VS Code.
 */
export { allowsCategory, allowsFile, mergePolicy, parsePolicy, PolicyError, validatePolicy } from './model';
export type { FileFacts, TeamPolicy } from './model';
export { BINARY_EXTENSIONS, hasBinaryExtension, looksBinary, SNIFF_LENGTH } from './binary';
export { GitignoreMatcher, rebasePatterns } from './gitignore';
export type { ReadGitignore } from './gitignore';
export { DETECTABLE_LICENSES, detectFolderLicense, detectLicenseText, isLicenseFileName, packageJsonLicense } from './license';
export type { LicenseDetection, LicenseFs } from './license';
export { licenseAllowed, licenseKey, parseSpdxExpression } from './spdx';
export { decideEligibility, describeIneligible } from './eligibility';
export type { FolderEligibility } from './eligibility';
export { findRepository, PolicyGate } from './gate';
export type { PolicyFolderRef, Verdict } from './gate';
export { nodePolicyIo } from './io';
export type { FileProbe, PolicyIo } from './io';
export { loadTeamPolicy, preparePolicy } from './load';
export type { PolicyInput, PreparedPolicy } from './load';
export { applyPolicyToEvents } from './events';
export type { ExclusionReason, PolicyApplication, PolicyContext } from './events';
