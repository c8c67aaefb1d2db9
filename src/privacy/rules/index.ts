/**
 * The built-in rule set, by family. Order does not affect results (spans are merged by a total
 * order), only the order in which rules run.
 */
import type { Rule } from '../types';
import { cloudRules } from './cloud';
import { genericRules } from './generic';
import { keyRules } from './keys';
import { piiRules } from './pii';
import { saasRules } from './saas';
import { vcsRules } from './vcs';

export { cloudRules } from './cloud';
export { genericRules } from './generic';
export { keyRules } from './keys';
export { piiRules } from './pii';
export { saasRules } from './saas';
export { vcsRules } from './vcs';

/** Provider-specific secret formats (self-identifying prefixes, or a provider name as context). */
export const providerRules: readonly Rule[] = [...cloudRules, ...vcsRules, ...saasRules, ...keyRules];

/** Everything that runs by default: provider secrets, generic secrets, personal data. */
export const builtinRules: readonly Rule[] = [...providerRules, ...genericRules, ...piiRules];
