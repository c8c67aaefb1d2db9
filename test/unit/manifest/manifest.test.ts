import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Manifest {
  engines: { vscode: string };
  main: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: unknown } };
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: { commandPalette: { command: string; when?: string }[] };
    configuration: { properties: Record<string, { description?: string; markdownDescription?: string; scope?: string; default?: unknown }> };
  };
}

const root = join(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;

describe('package.json manifest', () => {
  it('targets VS Code ^1.93.0 from one bundled file', () => {
    assert.equal(manifest.engines.vscode, '^1.93.0');
    assert.equal(manifest.main, './dist/extension.js');
  });

  it('uses specific activation events, never "*"', () => {
    assert.ok(manifest.activationEvents.length > 0);
    assert.ok(!manifest.activationEvents.includes('*'));
  });

  it('declares limited support for untrusted workspaces', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  });

  it('gives every command the Candor category and a palette when-clause', () => {
    const palette = new Map(manifest.contributes.menus.commandPalette.map((m) => [m.command, m.when]));
    for (const c of manifest.contributes.commands) {
      assert.equal(c.category, 'Candor', c.command);
      assert.match(c.command, /^candor\.[a-z][A-Za-z]+$/, c.command);
      if (c.command !== 'candor.showLog') {
        assert.ok(palette.get(c.command), `${c.command} has a when-clause`);
      }
    }
  });

  it('describes every setting with an explicit scope, and none can start recording', () => {
    for (const [key, p] of Object.entries(manifest.contributes.configuration.properties)) {
      assert.ok(p.description ?? p.markdownDescription, `${key} is described`);
      assert.ok(p.scope, `${key} has a scope`);
      assert.ok(!/enable|record|categor|url|upload|collector/i.test(key), `${key} must not control consent or destinations`);
      if (key !== 'candor.exclude') {
        assert.equal(p.scope, 'application', `${key} can only be set by the user`);
      }
    }
  });
});
