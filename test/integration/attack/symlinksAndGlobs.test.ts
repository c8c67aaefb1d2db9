import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { candor, openEditor, rawLogText, waitFor, workspaceUri, writeFileText } from '../util';

const HOSTILE = '**/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b/**';
/** Refused for its length: it must show in Candor's log, never be dropped silently. */
const OVERLONG = `${'refused-pattern-'.repeat(80)}*`;

/** Candor's output channel as VS Code writes it to disk (`<user-data>/logs/…/Candor.log`). */
async function candorOutput(logDir: string): Promise<string> {
  const userData = logDir.slice(0, logDir.indexOf(`${path.sep}User${path.sep}`));
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && depth < 6) {
        await walk(p, depth + 1);
      } else if (e.isFile() && /Candor\.log$/.test(e.name)) {
        found.push(p);
      }
    }
  };
  await walk(path.join(userData, 'logs'), 0);
  const texts = await Promise.all(found.map((f) => fs.readFile(f, 'utf8').catch(() => '')));
  return texts.join('\n');
}

/**
 * A cloned repository with symlinks out of the workspace and a backtracking exclusion glob in its
 * .vscode/settings.json (issue 8, items 4 and 5). The links are made here, at run time, so the
 * repository never carries links to this machine's files.
 */
describe('symlinks out of the workspace and hostile globs', function () {
  this.timeout(60_000);
  const mark = randomUUID().slice(0, 8);
  let outside: string;
  const links: string[] = [];

  before(async () => {
    outside = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-outside-'));
    await fs.mkdir(path.join(outside, 'dir'));
    await fs.writeFile(path.join(outside, 'hostname'), `OUTSIDE-SECRET-${mark}\n`);
    await fs.writeFile(path.join(outside, 'dir', 'inner.ts'), `OUTSIDE-DIR-${mark}\n`);
    const link = async (target: string, ...at: string[]): Promise<void> => {
      const p = workspaceUri(...at).fsPath;
      await fs.symlink(target, p);
      links.push(p);
    };
    await link(path.join(outside, 'hostname'), 'src', 'linked-host.ts');
    await link(path.join(outside, 'dir'), 'src', 'linked-dir');
    await link('app.ts', 'src', 'alias.ts');
    await vscode.workspace.getConfiguration('candor').update('exclude', [HOSTILE, OVERLONG], vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('candor').update('exclude', [], vscode.ConfigurationTarget.Workspace);
    await Promise.all(links.map((l) => fs.unlink(l).catch(() => undefined)));
    await fs.rm(outside, { recursive: true, force: true });
  });

  it('records promptly under the hostile glob, never a linked file from outside, and names the refused pattern', async () => {
    const hooks = await candor();
    await hooks.grantConsent(['edits', 'files']);
    assert.equal(hooks.state().state, 'recording');
    const dir = hooks.logDir()!;
    const type = async (uri: vscode.Uri, text: string): Promise<void> => {
      const editor = await openEditor(uri);
      await editor.edit((b) => b.insert(new vscode.Position(0, 0), text));
    };
    const logged = async (needle: string): Promise<boolean> => {
      await hooks.sync();
      return (await rawLogText(dir)).includes(needle);
    };

    // A 32-`a` name: picomatch would spend about a minute on it, on the extension host's thread.
    const a32 = workspaceUri('src', `${'a'.repeat(32)}.ts`);
    await writeFileText(a32, 'export const x = 1;\n');
    await type(a32, `// A32-${mark}\n`);
    await waitFor('the edit of the 32-a file in the log', () => logged(`A32-${mark}`));

    // The hostile glob still excludes what it names.
    const named = workspaceUri('src', `${'a'.repeat(16)}b`, 'x.ts');
    await writeFileText(named, 'export const y = 1;\n');
    await type(named, `// NAMED-${mark}\n`);

    // Links to a file and into a folder outside the workspace: opened and edited, never recorded.
    await type(workspaceUri('src', 'linked-host.ts'), `LINK-${mark}\n`);
    await type(workspaceUri('src', 'linked-dir', 'inner.ts'), `LINKDIR-${mark}\n`);
    // A link to a file inside is recorded (the decision path is the same): once it is in the log,
    // the links above were decided too.
    await type(workspaceUri('src', 'alias.ts'), `// ALIAS-${mark}\n`);
    await waitFor('the edit through the inside link in the log', () => logged(`ALIAS-${mark}`));

    const raw = await rawLogText(dir);
    for (const secret of [`LINK-${mark}`, `OUTSIDE-SECRET-${mark}`, `LINKDIR-${mark}`, `OUTSIDE-DIR-${mark}`, 'linked-host.ts', 'linked-dir', `NAMED-${mark}`]) {
      assert.ok(!raw.includes(secret), `${secret} must not be in the log`);
    }

    const output = await waitFor('the refused pattern in Candor’s log', async () => {
      const text = await candorOutput(dir);
      return text.includes('refused-pattern-refused-pattern-') ? text : undefined;
    });
    assert.match(output, /Exclusion pattern "refused-pattern-.*\*" refused: longer than 1024 characters/);

    hooks.answerModals('Stop and Delete Local Data');
    await vscode.commands.executeCommand('candor.stopRecording');
  });
});
