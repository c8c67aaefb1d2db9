import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExclusionMatcher, effectiveExcludes } from '../../../src/privacy/policy/exclusion';
import { escapeForLog, RealLocator, type Placement } from '../../../src/recorder/realLocation';

/** Real symlinks in a temp dir: a workspace `ws` and things outside it. */
describe('symlinks: a file is recorded only where it really is', () => {
  let root: string;
  let ws: string;
  let outside: string;
  let locator: RealLocator;
  const why = (p: Placement): string => (p.ok ? `ok ${p.at.f}` : p.why);

  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-links-'));
    ws = path.join(root, 'ws');
    outside = path.join(root, 'outside');
    await fs.mkdir(path.join(ws, 'src'), { recursive: true });
    await fs.mkdir(path.join(outside, '.ssh'), { recursive: true });
    await fs.mkdir(path.join(outside, 'project'), { recursive: true });
    await fs.writeFile(path.join(outside, 'hostname'), 'machine-name\n');
    await fs.writeFile(path.join(outside, '.ssh', 'config'), 'Host *\n');
    await fs.writeFile(path.join(outside, 'project', 'code.ts'), 'export {};\n');
    await fs.writeFile(path.join(ws, 'src', 'a.ts'), 'a\n');
    await fs.writeFile(path.join(ws, '.env'), 'TOKEN=x\n');
    await fs.symlink(path.join(outside, 'hostname'), path.join(ws, 'hostname.txt'));
    await fs.symlink(path.join(outside, '.ssh'), path.join(ws, 'ssh'));
    await fs.symlink(path.join(outside, 'project'), path.join(ws, 'vendor'));
    await fs.symlink('.env', path.join(ws, 'notes.txt'));
    await fs.symlink('src/a.ts', path.join(ws, 'alias.ts'));
    await fs.symlink(path.join(ws, 'src'), path.join(ws, 'linkedsrc'));
    await fs.symlink(path.join(root, 'nowhere'), path.join(ws, 'dangling.ts'));
    // The workspace reached through a link to its folder (as /tmp → /private/tmp on macOS).
    await fs.symlink(ws, path.join(root, 'ws-link'));
    locator = new RealLocator([{ name: 'ws', fsPath: ws }], new ExclusionMatcher(effectiveExcludes([])));
  });

  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('records an ordinary file', async () => {
    assert.equal(why(await locator.place(path.join(ws, 'src', 'a.ts'))), 'ok src/a.ts');
  });
  it('does not record a link to a file outside (/etc/hostname)', async () => {
    assert.equal(why(await locator.place(path.join(ws, 'hostname.txt'))), 'real-outside');
  });
  it('does not record a file reached through a link to an ~/.ssh-like folder outside', async () => {
    assert.equal(why(await locator.place(path.join(ws, 'ssh', 'config'))), 'real-outside');
  });
  it('does not record a file of a linked folder outside (a link in the middle of the path)', async () => {
    assert.equal(why(await locator.place(path.join(ws, 'vendor', 'code.ts'))), 'real-outside');
  });
  it('does not record a link to an excluded file inside (notes.txt -> .env)', async () => {
    assert.equal(why(await locator.place(path.join(ws, 'notes.txt'))), 'real-excluded');
  });
  it('does not record an excluded link name, whatever it points to', async () => {
    await fs.symlink(path.join(ws, 'src', 'a.ts'), path.join(ws, 'id_rsa'));
    assert.equal(why(await locator.place(path.join(ws, 'id_rsa'))), 'excluded');
  });
  it('records a link to a file inside, under the name the editor shows', async () => {
    const p = await locator.place(path.join(ws, 'alias.ts'));
    assert.ok(p.ok);
    assert.equal(p.at.f, 'alias.ts');
    assert.equal(p.real.f, 'src/a.ts');
    assert.equal(why(await locator.place(path.join(ws, 'linkedsrc', 'a.ts'))), 'ok linkedsrc/a.ts');
  });
  it('does not record what cannot be resolved (a dangling link)', async () => {
    assert.equal(why(await locator.place(path.join(ws, 'dangling.ts'))), 'unresolved');
  });
  it('compares the folders by their real paths too', async () => {
    const viaLink = new RealLocator([{ name: 'ws', fsPath: path.join(root, 'ws-link') }], new ExclusionMatcher([]));
    // The editor opened the folder by its link but reports a file by its real path, and back.
    assert.equal(why(await viaLink.place(path.join(ws, 'src', 'a.ts'))), 'ok src/a.ts');
    assert.equal(why(await viaLink.place(path.join(root, 'ws-link', 'src', 'a.ts'))), 'ok src/a.ts');
    assert.equal(why(await viaLink.place(path.join(root, 'ws-link', 'hostname.txt'))), 'real-outside');
  });
  it('follows a link swapped after an invalidation', async () => {
    const swap = path.join(ws, 'swap.ts');
    await fs.symlink(path.join(ws, 'src', 'a.ts'), swap);
    assert.equal(why(await locator.place(swap)), 'ok swap.ts');
    await fs.unlink(swap);
    await fs.symlink(path.join(outside, 'hostname'), swap);
    locator.invalidate();
    assert.equal(why(await locator.place(swap)), 'real-outside');
  });
  it('refuses a name that fails the safe-path rule', async () => {
    const odd = path.join(ws, 'src', 'evil\u202Etxt.ts');
    await fs.writeFile(odd, 'x');
    const p = await locator.place(odd);
    assert.equal(why(p), 'unsafe-path');
    assert.equal(p.ok ? undefined : p.rel, 'src/evil\u202Etxt.ts');
    const lf = path.join(ws, 'a\nb.ts');
    await fs.writeFile(lf, 'x');
    assert.equal(why(await locator.place(lf)), 'unsafe-path');
  });
  it('escapes what it logs', () => {
    assert.equal(escapeForLog('src/evil\u202Etxt.ts'), '"src/evil\\u202etxt.ts"');
    assert.equal(escapeForLog('a\nb\u001b[2J"'), '"a\\u000ab\\u001b[2J\\""');
    assert.equal(escapeForLog('x\ud800'), '"x\\ud800"');
  });
});
