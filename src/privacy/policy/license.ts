/**
 * Which licence a workspace folder is under, for the `allowedLicenses` eligibility rule.
 *
 * Detection is by distinctive phrases, not by comparing whole texts: LICENSE files carry
 * copyright lines, markdown, re-wrapped paragraphs and the odd typo, and must still be recognised.
 * Text is normalised first (lower case, every run of non-alphanumerics → one space), so quotes,
 * punctuation and line breaks do not matter. Each licence has one or more groups of phrases; a
 * group matches when all of its phrases occur and none of the licence's `none` phrases do. Rules
 * are tried in order, so licences whose text quotes another's title come first (the GPL-3.0 text
 * mentions the AGPL and LGPL; the LGPL-3.0 incorporates the GPL-3.0).
 *
 * Decisions:
 * - An explicit `SPDX-License-Identifier:` line in a licence file wins over phrase matching.
 * - Licence files are those at the folder root named LICENSE, LICENCE, COPYING or UNLICENSE, with
 *   any extension or suffix (LICENSE.md, LICENSE-MIT, COPYING.LESSER). Several recognised files
 *   combine with AND: we cannot know whether two files mean "either" or "both", so the stricter
 *   reading wins.
 * - `package.json`'s `license` (or the legacy `licenses` list) is read only when the folder has no
 *   licence file at all: a licence file we cannot recognise says "some other terms", and a
 *   package.json field must not override it. Unknown → not eligible when an allow-list exists.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseSpdxExpression } from './spdx';

/** SPDX ids this module recognises from licence texts. */
export const DETECTABLE_LICENSES: readonly string[] = [
  'MIT', 'Apache-2.0', 'BSD-2-Clause', 'BSD-3-Clause', 'ISC', 'MPL-2.0', 'GPL-2.0', 'GPL-3.0', 'LGPL-2.1', 'LGPL-3.0',
  'AGPL-3.0', 'Unlicense', 'CC0-1.0', '0BSD', 'EPL-2.0',
];

interface LicenseRule {
  readonly id: string;
  /** Any group matching (all of its phrases present) identifies the licence. */
  readonly any: readonly (readonly string[])[];
  /** Phrases that rule the licence out (a stricter or different variant). */
  readonly none?: readonly string[];
}

const BSD_GRANT = 'redistribution and use in source and binary forms with or without modification are permitted provided that';
const ISC_GRANT = 'permission to use copy modify and or distribute this software for any purpose with or without fee is hereby granted';
const ISC_NOTICE = 'provided that the above copyright notice and this permission notice appear in all copies';

/** In order: the first rule that matches wins. Phrases are already normalised (see `normalize`). */
const RULES: readonly LicenseRule[] = [
  {
    id: 'AGPL-3.0',
    any: [['gnu affero general public license', 'version 3 19 november 2007'], ['gnu affero general public license as published by the free software foundation']],
  },
  {
    id: 'LGPL-3.0',
    any: [
      ['gnu lesser general public license version 3 29 june 2007'],
      ['incorporates the terms and conditions of version 3 of the gnu general public license'],
      ['gnu lesser general public license as published by the free software foundation', 'either version 3'],
    ],
  },
  {
    id: 'LGPL-2.1',
    any: [
      ['gnu lesser general public license', 'version 2 1 february 1999'],
      ['gnu lesser general public license as published by the free software foundation', 'version 2 1'],
    ],
  },
  {
    id: 'GPL-3.0',
    any: [
      ['gnu general public license version 3 29 june 2007'],
      ['gnu general public license as published by the free software foundation', 'either version 3'],
    ],
  },
  {
    id: 'GPL-2.0',
    any: [
      ['gnu general public license version 2 june 1991'],
      ['gnu general public license as published by the free software foundation', 'version 2 of the license'],
    ],
  },
  { id: 'MPL-2.0', any: [['mozilla public license version 2 0'], ['mozilla public license v 2 0']] },
  { id: 'EPL-2.0', any: [['eclipse public license v 2 0'], ['eclipse public license version 2 0']] },
  { id: 'Apache-2.0', any: [['apache license version 2 0']] },
  { id: 'Unlicense', any: [['this is free and unencumbered software released into the public domain']] },
  { id: 'CC0-1.0', any: [['cc0 1 0 universal'], ['creative commons', 'cc0']] },
  {
    id: 'BSD-3-Clause',
    any: [
      [BSD_GRANT, 'neither the name of'],
      [BSD_GRANT, 'may be used to endorse or promote products derived from this software'],
    ],
    // BSD-4-Clause's advertising clause is not in the list we recognise.
    none: ['all advertising materials mentioning features'],
  },
  {
    id: 'BSD-2-Clause',
    any: [[BSD_GRANT, 'redistributions of source code must retain']],
    none: ['all advertising materials mentioning features', 'endorse or promote products'],
  },
  {
    id: 'ISC',
    any: [
      [ISC_GRANT, ISC_NOTICE],
      ['permission to use copy modify and distribute this software for any purpose with or without fee is hereby granted', ISC_NOTICE],
    ],
  },
  // 0BSD is ISC without the notice requirement: tried after ISC.
  { id: '0BSD', any: [[ISC_GRANT]], none: [ISC_NOTICE] },
  {
    id: 'MIT',
    any: [['permission is hereby granted free of charge to any person obtaining a copy', 'the above copyright notice and this permission notice shall be included']],
  },
];

/** Lower case, every run of characters other than a–z and 0–9 as one space. */
export function normalize(text: string): string {
  return ` ${text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim()} `;
}

/** Licence files at a folder root: LICENSE, LICENCE, COPYING, UNLICENSE, with any suffix. */
const LICENSE_FILE = /^(?:licen[cs]e|copying|unlicense)(?:[-._][\w.-]*)?$/i;
/** Enough for the longest common licence text (the GPL-3.0 is ~35 KB); a bigger file is cut. */
const MAX_LICENSE_BYTES = 256 * 1024;
const SPDX_LINE = /SPDX-License-Identifier:\s*([^\r\n*]+?)\s*(?:\*\/|-->)?\s*$/im;

export function isLicenseFileName(name: string): boolean {
  return LICENSE_FILE.test(name);
}

/** The SPDX id of a licence text, or undefined when none of the known licences is recognised. */
export function detectLicenseText(text: string): string | undefined {
  const declared = SPDX_LINE.exec(text)?.[1];
  if (declared !== undefined && parseSpdxExpression(declared) !== undefined) {
    return declared.trim();
  }
  const norm = normalize(text);
  const has = (phrase: string): boolean => norm.includes(` ${phrase} `);
  for (const rule of RULES) {
    if (rule.none?.some(has) === true) {
      continue;
    }
    if (rule.any.some((group) => group.every(has))) {
      return rule.id;
    }
  }
  return undefined;
}

/**
 * The licence a `package.json` declares: its `license` string (an SPDX expression), the legacy
 * `{ "type": … }` object, or the legacy `licenses` list (read as an AND of its entries).
 */
export function packageJsonLicense(text: string): string | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const pkg = raw as Record<string, unknown>;
  const typeOf = (v: unknown): string | undefined =>
    typeof v === 'string' ? v : typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string' ? (v as { type: string }).type : undefined;
  const single = typeOf(pkg['license']);
  const list = Array.isArray(pkg['licenses']) ? pkg['licenses'].map(typeOf) : undefined;
  const value = single ?? (list !== undefined && list.length > 0 && list.every((v) => v !== undefined) ? (list).map((v) => `(${v})`).join(' AND ') : undefined);
  if (value === undefined || parseSpdxExpression(value) === undefined) {
    return undefined;
  }
  return value.trim();
}

export interface LicenseDetection {
  /** SPDX expression of the folder's licence; undefined when unknown. */
  readonly license: string | undefined;
  /** Where it was found: licence file names, or `package.json`. */
  readonly sources: readonly string[];
  /** Licence files present whose text was not recognised. */
  readonly unrecognized: readonly string[];
}

/** How detection reads the folder (tests inject fakes). */
export interface LicenseFs {
  readdir(dir: string): Promise<string[]>;
  readFile(file: string): Promise<string>;
}

/** Reads this machine's file system (licence files are cut at 256 KB). */
export const nodeLicenseFs: LicenseFs = {
  readdir: (dir) => fs.readdir(dir),
  readFile: async (file) => {
    const handle = await fs.open(file, 'r');
    try {
      const buf = Buffer.alloc(MAX_LICENSE_BYTES);
      const { bytesRead } = await handle.read(buf, 0, MAX_LICENSE_BYTES, 0);
      return buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  },
};

/** Detects the licence of the folder at `dir` from its root licence files, else its package.json. */
export async function detectFolderLicense(dir: string, io: LicenseFs = nodeLicenseFs): Promise<LicenseDetection> {
  let names: string[];
  try {
    names = (await io.readdir(dir)).filter(isLicenseFileName).sort();
  } catch {
    names = [];
  }
  const found: string[] = [];
  const sources: string[] = [];
  const unrecognized: string[] = [];
  for (const name of names) {
    let id: string | undefined;
    try {
      id = detectLicenseText(await io.readFile(path.join(dir, name)));
    } catch {
      continue; // a directory named LICENSE, or unreadable: not a licence text
    }
    if (id === undefined) {
      unrecognized.push(name);
    } else {
      sources.push(name);
      if (!found.includes(id)) {
        found.push(id);
      }
    }
  }
  if (found.length > 0) {
    return { license: found.length === 1 ? found[0] : found.map((id) => `(${id})`).join(' AND '), sources, unrecognized };
  }
  if (unrecognized.length > 0) {
    return { license: undefined, sources: [], unrecognized };
  }
  try {
    const declared = packageJsonLicense(await io.readFile(path.join(dir, 'package.json')));
    if (declared !== undefined) {
      return { license: declared, sources: ['package.json'], unrecognized };
    }
  } catch {
    // no package.json
  }
  return { license: undefined, sources: [], unrecognized };
}
