import * as assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decideEligibility, describeIneligible } from '../../../../src/privacy/policy/eligibility';
import { DETECTABLE_LICENSES, detectFolderLicense, detectLicenseText, isLicenseFileName, packageJsonLicense } from '../../../../src/privacy/policy/license';
import { licenseAllowed, licenseKey, parseSpdxExpression } from '../../../../src/privacy/policy/spdx';
import { tempDir } from './helpers';
import { LICENSE_TEXTS, UNKNOWN_TEXTS } from './licenseTexts';

describe('licence detection', () => {
  it('has a fixture for every licence it claims to detect', () => {
    assert.deepEqual(Object.keys(LICENSE_TEXTS).sort(), [...DETECTABLE_LICENSES].sort());
  });

  for (const [id, text] of Object.entries(LICENSE_TEXTS)) {
    it(`recognises ${id}`, () => {
      assert.equal(detectLicenseText(text), id);
      // Re-wrapped, in markdown, with CRLF: still recognised.
      const markdown = `# License\n\n${text.replace(/\n(?!\n)/g, ' ').replace(/\n/g, '\r\n')}`;
      assert.equal(detectLicenseText(markdown), id, 'after re-wrapping');
    });
  }

  it('recognises nothing in other texts', () => {
    for (const text of UNKNOWN_TEXTS) {
      assert.equal(detectLicenseText(text), undefined, text.slice(0, 40));
    }
  });

  it('prefers an explicit SPDX-License-Identifier line', () => {
    assert.equal(detectLicenseText('// SPDX-License-Identifier: MIT OR Apache-2.0\n'), 'MIT OR Apache-2.0');
    assert.equal(detectLicenseText(`/* SPDX-License-Identifier: GPL-2.0-only */\n${LICENSE_TEXTS['MIT']}`), 'GPL-2.0-only');
  });

  it('reads package.json licences: SPDX strings, legacy objects and lists', () => {
    assert.equal(packageJsonLicense('{"license":"MIT"}'), 'MIT');
    assert.equal(packageJsonLicense('{"license":"(MIT OR Apache-2.0)"}'), '(MIT OR Apache-2.0)');
    assert.equal(packageJsonLicense('{"license":{"type":"ISC"}}'), 'ISC');
    assert.equal(packageJsonLicense('{"licenses":[{"type":"MIT"},{"type":"GPL-2.0"}]}'), '(MIT) AND (GPL-2.0)');
    assert.equal(packageJsonLicense('{"license":"SEE LICENSE IN LICENSE.txt"}'), undefined);
    assert.equal(packageJsonLicense('{"name":"x"}'), undefined);
    assert.equal(packageJsonLicense('not json'), undefined);
  });

  it('knows licence file names', () => {
    for (const n of ['LICENSE', 'LICENSE.md', 'license.txt', 'LICENCE', 'COPYING', 'COPYING.LESSER', 'LICENSE-MIT', 'UNLICENSE']) {
      assert.ok(isLicenseFileName(n), n);
    }
    for (const n of ['README.md', 'licenses', 'LICENSES.md', 'package.json', 'my-license']) {
      assert.ok(!isLicenseFileName(n), n);
    }
  });

  describe('a folder', () => {
    let root: string;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ path: root, cleanup } = await tempDir());
    });
    afterEach(() => cleanup());

    async function folder(files: Record<string, string>): Promise<string> {
      const dir = join(root, `f${Math.random().toString(36).slice(2)}`);
      await mkdir(dir);
      for (const [name, text] of Object.entries(files)) {
        await writeFile(join(dir, name), text);
      }
      return dir;
    }

    it('from its LICENSE file, whatever its name', async () => {
      assert.deepEqual(await detectFolderLicense(await folder({ 'LICENSE.md': LICENSE_TEXTS['Apache-2.0'] })), {
        license: 'Apache-2.0',
        sources: ['LICENSE.md'],
        unrecognized: [],
      });
      assert.equal((await detectFolderLicense(await folder({ COPYING: LICENSE_TEXTS['GPL-3.0'] }))).license, 'GPL-3.0');
    });

    it('several licence files combine with AND (the strict reading)', async () => {
      const d = await detectFolderLicense(await folder({ 'LICENSE-MIT': LICENSE_TEXTS['MIT'], 'LICENSE-APACHE': LICENSE_TEXTS['Apache-2.0'] }));
      assert.equal(d.license, '(Apache-2.0) AND (MIT)');
      assert.ok(!licenseAllowed(d.license, ['MIT']));
      assert.ok(licenseAllowed(d.license, ['MIT', 'Apache-2.0']));
    });

    it('package.json only when there is no licence file at all', async () => {
      assert.deepEqual(await detectFolderLicense(await folder({ 'package.json': '{"license":"ISC"}' })), {
        license: 'ISC',
        sources: ['package.json'],
        unrecognized: [],
      });
      const unknown = await detectFolderLicense(await folder({ LICENSE: UNKNOWN_TEXTS[0], 'package.json': '{"license":"MIT"}' }));
      assert.deepEqual(unknown, { license: undefined, sources: [], unrecognized: ['LICENSE'] });
      assert.deepEqual(await detectFolderLicense(await folder({})), { license: undefined, sources: [], unrecognized: [] });
      assert.deepEqual(await detectFolderLicense(join(root, 'missing')), { license: undefined, sources: [], unrecognized: [] });
    });
  });
});

describe('SPDX expressions and allow-lists', () => {
  it('parses expressions and rejects what is not one', () => {
    for (const ok of ['MIT', 'MIT OR Apache-2.0', '(MIT AND ISC) OR GPL-3.0+', 'Apache-2.0 WITH LLVM-exception', 'mit or isc', 'LicenseRef-x']) {
      assert.ok(parseSpdxExpression(ok), ok);
    }
    for (const bad of ['', 'MIT OR', '(MIT', 'MIT)', 'AND MIT', 'SEE LICENSE IN x.txt', 'MIT WITH']) {
      assert.equal(parseSpdxExpression(bad), undefined, bad);
    }
  });

  it('compares ids case-insensitively, ignoring -only / -or-later / +', () => {
    assert.equal(licenseKey('GPL-3.0-or-later'), licenseKey('gpl-3.0'));
    assert.equal(licenseKey('GPL-2.0+'), licenseKey('GPL-2.0-only'));
    assert.ok(licenseAllowed('GPL-3.0-only', ['GPL-3.0']));
    assert.ok(licenseAllowed('mit', ['MIT']));
  });

  it('OR needs one allowed side, AND needs both; unknown, UNLICENSED and garbage are never allowed', () => {
    assert.ok(licenseAllowed('MIT OR GPL-3.0', ['MIT']));
    assert.ok(!licenseAllowed('MIT AND GPL-3.0', ['MIT']));
    assert.ok(licenseAllowed('Apache-2.0 WITH LLVM-exception', ['Apache-2.0']));
    assert.ok(!licenseAllowed(undefined, ['MIT']));
    assert.ok(!licenseAllowed('UNLICENSED', ['UNLICENSED']));
    assert.ok(!licenseAllowed('SEE LICENSE IN LICENSE', ['MIT']));
    assert.ok(!licenseAllowed('MIT', []));
  });
});

describe('eligibility', () => {
  const mit = { license: 'MIT', sources: ['LICENSE'], unrecognized: [] };

  it('every folder is eligible without an allow-list', () => {
    assert.equal(decideEligibility('app', undefined, undefined).eligible, true);
  });

  it('a folder under an allowed licence is eligible', () => {
    const e = decideEligibility('app', mit, ['MIT', 'Apache-2.0']);
    assert.equal(e.eligible, true);
    assert.equal(e.license, 'MIT');
  });

  it('a folder under another licence is not, and the reason names both', () => {
    const e = decideEligibility('app', { license: 'GPL-3.0', sources: ['COPYING'], unrecognized: [] }, ['MIT', 'Apache-2.0']);
    assert.equal(e.eligible, false);
    assert.match(e.reason, /GPL-3\.0 \(from COPYING\); the policy allows only MIT, Apache-2\.0/);
  });

  it('an unknown licence is not eligible, and says which file was not recognised', () => {
    const none = decideEligibility('app', { license: undefined, sources: [], unrecognized: [] }, ['MIT']);
    assert.equal(none.eligible, false);
    assert.match(none.reason, /no licence file/);
    const odd = decideEligibility('app', { license: undefined, sources: [], unrecognized: ['LICENSE'] }, ['MIT']);
    assert.match(odd.reason, /LICENSE\) is not one Candor recognises/);
    assert.match(decideEligibility('app', mit, []).reason, /allow-list is empty/);
  });

  it('the message names each ineligible folder, its licence and the allowed ones', () => {
    const ok = decideEligibility('web', mit, ['MIT']);
    const bad = decideEligibility('server', { license: 'AGPL-3.0', sources: ['LICENSE'], unrecognized: [] }, ['MIT']);
    assert.equal(describeIneligible([ok]), undefined);
    const some = describeIneligible([ok, bad])!;
    assert.match(some, /will not record in one folder/);
    assert.match(some, /'server': its licence is AGPL-3\.0 \(from LICENSE\); the policy allows only MIT\./);
    assert.match(describeIneligible([bad])!, /will not record in this workspace/);
  });
});
