/**
 * Source hosting: GitHub, GitLab, Bitbucket, Atlassian. Prefixed formats are self-identifying and
 * need no context; Bitbucket's classic app passwords and Atlassian's classic API tokens are plain
 * alphanumerics and are only recognised next to their product's name.
 */
import { defineRule } from '../rule';
import type { Rule } from '../types';
import { CONTEXT_GROUP, contextPattern, TOKEN_END, TOKEN_START } from './common';
import { ALNUM, BASE64URL, HEX, LOWER_ALNUM, synth } from './synthetic';

/** `ghp_`-style classic GitHub tokens: a 3-letter prefix, `_`, 36 base62 characters. */
function githubClassic(id: string, prefix: string, what: string, seed: number, bodyMax = 36): Rule {
  const body = synth(ALNUM, 36, seed);
  return defineRule({
    id,
    description: `GitHub ${what} (${prefix}…)`,
    kind: 'secret',
    keywords: [prefix],
    pattern: new RegExp(`${TOKEN_START}${prefix}[A-Za-z0-9]{36,${bodyMax}}${TOKEN_END}`),
    truePositives: [
      `GITHUB_TOKEN=⟦${prefix}${body}⟧`,
      `git clone https://x-access-token:⟦${prefix}${synth(ALNUM, 36, seed + 1)}⟧@github.com/o/r.git`,
      `{"token": "⟦${prefix}${synth(ALNUM, 36, seed + 2)}⟧"}`,
    ],
    falsePositives: [
      `${prefix}${body.slice(0, 35)}`, // one character short
      `x${prefix}${body}`, // inside a longer identifier
      `const ${prefix}prefix = '${prefix}';`,
    ],
  });
}

export const vcsRules: readonly Rule[] = [
  githubClassic('github-pat', 'ghp_', 'personal access token', 11),
  githubClassic('github-oauth-token', 'gho_', 'OAuth access token', 21),
  githubClassic('github-user-token', 'ghu_', 'user-to-server token', 31),
  githubClassic('github-server-token', 'ghs_', 'server-to-server (installation) token', 41),
  githubClassic('github-refresh-token', 'ghr_', 'refresh token', 51, 76),
  defineRule({
    id: 'github-fine-grained-pat',
    description: 'GitHub fine-grained personal access token (github_pat_…)',
    kind: 'secret',
    keywords: ['github_pat_'],
    pattern: new RegExp(`${TOKEN_START}github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}${TOKEN_END}`),
    truePositives: [
      `export GH_TOKEN=⟦github_pat_${synth(ALNUM, 22, 61)}_${synth(ALNUM, 59, 62)}⟧`,
      `token: ⟦github_pat_${synth(ALNUM, 22, 63)}_${synth(ALNUM, 59, 64)}⟧`,
    ],
    falsePositives: [`github_pat_${synth(ALNUM, 22, 65)}_${synth(ALNUM, 40, 66)}`, 'the github_pat_ prefix marks fine-grained tokens'],
  }),
  defineRule({
    id: 'gitlab-pat',
    description: 'GitLab personal/project/group access token (glpat-…), classic and routable formats',
    kind: 'secret',
    keywords: ['glpat-'],
    pattern: new RegExp(`${TOKEN_START}glpat-[A-Za-z0-9_-]{20,300}(?:\\.[0-9a-z]{2}\\.[0-9a-z]{9})?${TOKEN_END}`),
    truePositives: [
      `PRIVATE-TOKEN: ⟦glpat-${synth(BASE64URL, 20, 71)}⟧`,
      `GITLAB_TOKEN="⟦glpat-${synth(BASE64URL, 36, 72)}.01.${synth(LOWER_ALNUM, 9, 73)}⟧"`,
    ],
    falsePositives: [`glpat-${synth(ALNUM, 12, 74)}`, 'tokens start with glpat- followed by 20 characters'],
  }),
  defineRule({
    id: 'gitlab-deploy-token',
    description: 'GitLab deploy token (gldt-…)',
    kind: 'secret',
    keywords: ['gldt-'],
    pattern: new RegExp(`${TOKEN_START}gldt-[A-Za-z0-9_-]{20,300}${TOKEN_END}`),
    truePositives: [`password: ⟦gldt-${synth(BASE64URL, 20, 81)}⟧`],
    falsePositives: [`gldt-${synth(ALNUM, 10, 82)}`],
  }),
  defineRule({
    id: 'gitlab-runner-token',
    description: 'GitLab runner authentication (glrt-…) or registration (GR1348941…) token',
    kind: 'secret',
    keywords: ['glrt-', 'gr1348941'],
    pattern: new RegExp(`${TOKEN_START}(?:glrt-[A-Za-z0-9_-]{20,300}|GR1348941[A-Za-z0-9_-]{20,64})${TOKEN_END}`),
    truePositives: [
      `--token ⟦glrt-${synth(BASE64URL, 20, 91)}⟧`,
      `registration-token: ⟦GR1348941${synth(BASE64URL, 20, 92)}⟧`,
    ],
    falsePositives: [`glrt-${synth(ALNUM, 8, 93)}`, 'GR1348941'],
  }),
  defineRule({
    id: 'gitlab-pipeline-trigger-token',
    description: 'GitLab pipeline trigger token (glptt-…)',
    kind: 'secret',
    keywords: ['glptt-'],
    pattern: new RegExp(`${TOKEN_START}glptt-[0-9a-f]{40}${TOKEN_END}`),
    truePositives: [`curl -F token=⟦glptt-${synth(HEX, 40, 101)}⟧ https://gitlab.example/api`],
    falsePositives: [`glptt-${synth(HEX, 39, 102)}`],
  }),
  defineRule({
    id: 'gitlab-token',
    description: 'Other GitLab tokens: feed, SCIM, OAuth app secret, CI job, incoming mail, agent, feature flags',
    kind: 'secret',
    keywords: ['glft-', 'glsoat-', 'gloas-', 'glcbt-', 'glimt-', 'glagent-', 'glffct-'],
    pattern: new RegExp(`${TOKEN_START}(?:glft|glsoat|gloas|glcbt|glimt|glagent|glffct)-[A-Za-z0-9_-]{20,300}${TOKEN_END}`),
    truePositives: [
      `feed_token=⟦glft-${synth(BASE64URL, 20, 111)}⟧`,
      `secret: ⟦gloas-${synth(HEX, 64, 112)}⟧`,
      `⟦glagent-${synth(BASE64URL, 50, 113)}⟧`,
    ],
    falsePositives: ['glft-short', `glcbt-${synth(ALNUM, 6, 114)}`],
  }),
  defineRule({
    id: 'bitbucket-api-token',
    description: 'Bitbucket/Atlassian app password or API token in the ATBB… format',
    kind: 'secret',
    keywords: ['atbb'],
    pattern: new RegExp(`${TOKEN_START}ATBB[A-Za-z0-9_=.-]{24,120}${TOKEN_END}`),
    truePositives: [`BITBUCKET_APP_PASSWORD=⟦ATBB${synth(ALNUM, 32, 121)}${synth(HEX, 8, 122).toUpperCase()}⟧`],
    falsePositives: ['ATBB', `ATBB${synth(ALNUM, 10, 123)}`],
  }),
  defineRule({
    id: 'bitbucket-app-password',
    description: 'Bitbucket classic app password (20 alphanumerics), only next to a bitbucket name',
    kind: 'secret',
    keywords: ['bitbucket'],
    pattern: contextPattern('bitbucket', 'app[_.-]?password|password|pass|secret|token', '[A-Za-z0-9]{18,24}', '(?![A-Za-z0-9])'),
    secretGroup: CONTEXT_GROUP,
    truePositives: [
      `BITBUCKET_APP_PASSWORD=⟦${synth(ALNUM, 20, 131)}⟧`,
      `bitbucket_password: "⟦${synth(ALNUM, 20, 132)}⟧"`,
    ],
    falsePositives: [`BITBUCKET_USERNAME=${synth(ALNUM, 20, 133)}`, 'bitbucket_password = os.environ["BB"]'],
  }),
  defineRule({
    id: 'atlassian-api-token',
    description: 'Atlassian API token (ATATT3…)',
    kind: 'secret',
    keywords: ['atatt3'],
    pattern: new RegExp(`${TOKEN_START}ATATT3[A-Za-z0-9_=-]{100,300}${TOKEN_END}`),
    truePositives: [`JIRA_TOKEN=⟦ATATT3xFfGF0${synth(BASE64URL, 170, 141)}=${synth(HEX, 8, 142).toUpperCase()}⟧`],
    falsePositives: ['ATATT3 tokens are long', `ATATT3${synth(ALNUM, 40, 146)}`],
  }),
  defineRule({
    id: 'atlassian-api-token-context',
    description: 'Atlassian classic API token (24 alphanumerics) next to a jira/confluence/atlassian name',
    kind: 'secret',
    keywords: ['atlassian', 'jira', 'confluence'],
    pattern: contextPattern('atlassian|jira|confluence', '(?:api[_.-]?)?(?:token|secret|password)', '[A-Za-z0-9]{24}', '(?![A-Za-z0-9])'),
    secretGroup: CONTEXT_GROUP,
    truePositives: [`JIRA_API_TOKEN=⟦${synth(ALNUM, 24, 143)}⟧`, `confluence.password: "⟦${synth(ALNUM, 24, 147)}⟧"`],
    falsePositives: [`jira_api_token = ${synth(ALNUM, 12, 144)}`, `JIRA_URL=${synth(ALNUM, 24, 145)}`],
  }),
];
