import type { Category } from '../model/events';
import { DEFAULT_CATEGORIES, UNAVAILABLE_CATEGORIES } from '../consent/receipt';
import { allowsCategory } from '../privacy/policy/model';
import type { TeamPolicy } from '../privacy/policy/model';
import type { CategoryInfo } from './protocol';

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
    detail: 'The output of those commands, capped per command. Off by default: output often contains data you did not write.',
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

/**
 * The consent screen's rows. A category the team policy forbids is still listed — the developer
 * sees everything Candor could record and why some of it is off — but disabled, unticked, with the
 * policy's version as the reason. (Leaving it out would hide that the policy narrowed the choice.)
 */
export function categoryInfos(order: readonly Category[], policy?: TeamPolicy): CategoryInfo[] {
  return order.map((id) => {
    const unavailable = UNAVAILABLE_CATEGORIES.includes(id);
    const forbidden = !unavailable && policy !== undefined && !allowsCategory(policy, id);
    const note = unavailable ? 'not yet available' : forbidden ? forbiddenNote(policy) : undefined;
    return {
      id,
      label: CATEGORY_TEXT[id].label,
      detail: CATEGORY_TEXT[id].detail,
      checked: DEFAULT_CATEGORIES.includes(id) && !forbidden,
      disabled: unavailable || forbidden,
      ...(note === undefined ? {} : { note }),
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
