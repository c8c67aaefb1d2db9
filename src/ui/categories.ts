import type { Category } from '../model/events';
import { UNAVAILABLE_CATEGORIES } from '../consent/receipt';
import { allowsCategory } from '../privacy/policy/model';
import type { TeamPolicy } from '../privacy/policy/model';
import type { CategoryInfo } from './protocol/consent';

/** The consent screen's words for each category. Changing them means bumping the policy version. */
export const CATEGORY_TEXT: Record<Category, { label: string; detail: string }> = {
  edits: {
    label: 'Edits',
    detail:
      'What you type and change in files of this workspace: each change (position, length, new text), a full copy of a file the first time you edit it in a session, and checksums to verify replay.',
  },
  navigation: {
    label: 'Selections and navigation',
    detail: 'Where your cursor and selections rest (coalesced, not every move), which file is active, and whether the window has focus.',
  },
  files: {
    label: 'File open, save, create, rename, delete',
    detail: 'Workspace-relative paths of files you open, save, create, rename or delete in VS Code. No contents.',
  },
  terminalCommands: {
    label: 'Terminal commands',
    detail: 'Command lines you run in integrated terminals with shell integration, their working folder inside the workspace, exit code and duration.',
  },
  terminalOutput: {
    label: 'Terminal output',
    detail: 'The output of those commands, capped per command. Output often contains data you did not write. Needs terminal commands.',
  },
  tools: {
    label: 'Tasks, debug sessions and git actions',
    detail: 'Names and outcomes of tasks and debug sessions; branch switches and commits seen by the built-in git extension (no messages or diffs).',
  },
  aiPrompts: {
    label: 'AI prompts',
    detail: 'Prompts sent through Candor’s own chat participant and language-model calls. Not yet available.',
  },
};

/** "forbidden by team policy 2025-12 (v3)": what the screen shows beside a category the policy forbids. */
export function forbiddenNote(policy: TeamPolicy): string {
  return `forbidden by team policy ${policy.version}`;
}

/** What the screen shows beside a category the team policy suggests (it stays unticked). */
export const SUGGESTED_NOTE = 'suggested by your team';

/**
 * Categories that are recorded only together with another one (src/consent/receipt.ts
 * `createReceipt` drops terminal output without terminal commands). The screen says so before
 * the grant, rather than the receipt silently holding less than was ticked.
 */
const REQUIRES: Partial<Record<Category, Category>> = { terminalOutput: 'terminalCommands' };

/**
 * The consent screen's rows, none of them ticked: a pre-ticked box is not freely given consent
 * (CJEU, Planet49, 2019), so the developer ticks every category they agree to. A category the team
 * policy forbids is still listed — the developer sees everything Candor could record and why some
 * of it is off — but disabled, with the policy's version as the reason. (Leaving it out would hide
 * that the policy narrowed the choice.) A category the team suggests is marked as suggested and
 * stays unticked; forbidden or unavailable wins over suggested.
 */
export function categoryInfos(order: readonly Category[], policy?: TeamPolicy): CategoryInfo[] {
  return order.map((id) => {
    const unavailable = UNAVAILABLE_CATEGORIES.includes(id);
    const forbidden = !unavailable && policy !== undefined && !allowsCategory(policy, id);
    const suggested = !unavailable && !forbidden && policy?.suggestedCategories?.includes(id) === true;
    const note = unavailable ? 'not yet available' : forbidden ? forbiddenNote(policy) : suggested ? SUGGESTED_NOTE : undefined;
    const requires = REQUIRES[id];
    return {
      id,
      label: CATEGORY_TEXT[id].label,
      detail: CATEGORY_TEXT[id].detail,
      checked: false,
      disabled: unavailable || forbidden,
      suggested,
      ...(note === undefined ? {} : { note }),
      ...(requires === undefined ? {} : { requires }),
    };
  });
}

/**
 * The categories of a grant that the policy forbids. The host checks every grant with this (the
 * webview is untrusted): a forbidden category is refused, not silently dropped.
 */
export function forbiddenCategories(requested: readonly string[], policy: TeamPolicy | undefined): string[] {
  return policy === undefined ? [] : [...new Set(requested)].filter((c) => !allowsCategory(policy, c));
}
