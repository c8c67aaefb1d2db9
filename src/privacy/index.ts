/**
 * On-device detectors for secrets, personal data, machine identity and out-of-workspace paths.
 * No VS Code: used by the extension, the `candor` CLI and the collector.
 */
export type { Rule, RuleSpec, Span, SpanKind } from './types';
export { createDetector, defaultDetector, detect, KIND_RANK, mergeSpans } from './detect';
export type { DetectOptions, Detector, DetectorOptions, ScanOptions } from './detect';
export { defineRule, escapeRegExp, maxPatternLength, parseFixture, SPAN_CLOSE, SPAN_OPEN } from './rule';
export type { ParsedFixture } from './rule';
export { COMMON_ACCOUNT_NAMES, identityRules, isDistinctiveName, loadMachineIdentity, parseGitConfig } from './identity';
export type { IdentitySources, MachineIdentity } from './identity';
export { anonymizePaths, normalizePath, pathRules, rewriteWorkspacePaths, WELL_KNOWN_ROOTS, workspaceRelative } from './paths';
export type { PathOptions, WorkspacePath } from './paths';
export { builtinRules, cloudRules, genericRules, keyRules, piiRules, providerRules, saasRules, vcsRules } from './rules/index';
export { isIdentifierLike, isPlaceholder, looksLikeSecret, luhnValid, shannonEntropy } from './heuristics';
export { KeywordAutomaton } from './keywords';
export type { KeywordHit } from './keywords';
export { analyzeAnchors, keywordAnchors, literalPrefix } from './anchor';
export type { AnchorAnalysis, KeywordAnchor } from './anchor';
export { mergeOverlapping } from './merge';
export type { RankedSpan } from './merge';
export { adversarialInputs } from './adversarial';
export type { AdversarialInput, AdversarialOptions } from './adversarial';
export { analyzePattern } from './regexBounds';
export type { PatternBounds } from './regexBounds';
