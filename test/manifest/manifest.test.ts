import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import AdmZip from 'adm-zip';
import sinon from 'sinon';
import { buildAppPackage, DEFAULT_MANIFEST_DIR } from '../../scripts/package-app';
import { placeholderReason } from '../../manifest/build/placeholder-links';
import { COMMANDS as CATALOGUE, menuCommands, type MenuCommand } from '../../services/commands/command-catalogue';
import { MENU_LIMITS, withCommandLists } from '../../manifest/build/command-lists';
import { encodePng } from '../../scripts/make-icons';
import { checkIcon } from '../../manifest/build/icon-checks';
import { bundledSchemaVersions, validateManifestSchema } from '../../manifest/build/manifest-schema';
import { fillTemplate, findPlaceholders } from '../../manifest/build/manifest-template';
import { PackageError, parsePackageInputs, type PackageInputs } from '../../manifest/build/package-inputs';
import { decodePng, readPngHeader } from '../../manifest/build/png';

const ROOT = join(__dirname, '..', '..');
const GUID = '2f1c5a6e-3b7d-4c8e-9a0f-1d2e3f405162';
const OTHER_GUID = '7a0b9c8d-1e2f-4a3b-8c4d-5e6f7a8b9c0d';
const TEST_ID = '00000000-0000-0000-0000-00000000000011';
const COMMANDS = ['help', 'ladder', 'cluster', 'pupil', 'my actions', 'alerts'];

const readTemplate = () => JSON.parse(readFileSync(join(DEFAULT_MANIFEST_DIR, 'manifest.template.json'), 'utf8')) as Record<string, unknown>;
// Filled as the package build fills it: placeholders, then the command menu from the catalogue.
const filledTemplate = () =>
  withCommandLists(fillTemplate(readTemplate(), { BOT_ID: GUID, TEAMS_APP_ID: GUID, BOT_DOMAIN: 'bot.example.org', APP_VERSION: '1.2.3' }) as Record<string, unknown>, menuCommands()) as Record<string, any>;

async function rejection(promise: Promise<unknown>): Promise<PackageError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PackageError, `expected a PackageError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the package build to be refused');
}

function thrown(fn: () => unknown): PackageError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof PackageError, `expected a PackageError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
}

describe('Teams app package', () => {
  // The validator would fetch `$schema` if it were not handed the bundled schema: make that loud.
  const sandbox = sinon.createSandbox();
  let fetchStub: sinon.SinonStub;
  beforeEach(() => {
    fetchStub = sandbox.stub(globalThis, 'fetch').rejects(new Error('network access in a manifest test'));
  });
  afterEach(() => sandbox.restore());

  describe('manifest template', () => {
    it('uses the newest schema version @microsoft/app-manifest bundles up to v1.30, and at least v1.22', () => {
      const numeric = (v: string) => Number(v.split('.')[0]) * 1000 + Number(v.split('.')[1]);
      const usable = bundledSchemaVersions().filter((v) => numeric(v) <= numeric('1.30'));
      const newest = usable[usable.length - 1]!;
      const template = readTemplate();
      assert.equal(template.manifestVersion, newest);
      assert.ok(numeric(newest) >= numeric('1.22'));
      assert.equal(template.$schema, `https://developer.microsoft.com/json-schemas/teams/v${newest}/MicrosoftTeams.schema.json`);
    });

    it('fills to a manifest the bundled official schema accepts, without any network access', async () => {
      const manifest = filledTemplate();
      assert.deepEqual(findPlaceholders(manifest), []);
      assert.deepEqual(await validateManifestSchema(manifest), []);
      sinon.assert.notCalled(fetchStub);
    });

    it('reports a schema violation: name.short longer than 30 characters', async () => {
      const manifest = filledTemplate();
      manifest.name.short = 'Inclusion Assistant for Schools'; // 31 characters
      const problems = await validateManifestSchema(manifest);
      assert.equal(problems.length, 1);
      assert.equal(problems[0]!.path, '/name/short');
      assert.match(problems[0]!.message, /more than 30 characters/);
      sinon.assert.notCalled(fetchStub);
    });

    it('reports an unknown property with its name, and a $schema that does not match manifestVersion', async () => {
      const manifest = filledTemplate();
      manifest.bots[0].supportsFile = false;
      manifest.$schema = 'https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json';
      const problems = await validateManifestSchema(manifest);
      assert.ok(problems.some((p) => p.path === '/bots/0' && /additional properties/.test(p.message) && p.message.includes('supportsFile')), JSON.stringify(problems));
      assert.ok(problems.some((p) => p.path === '/$schema' && p.message.includes('v1.30')), JSON.stringify(problems));
    });

    it('declares the bot for personal, team and group chat, with no files and the six commands in every scope', () => {
      const bot = filledTemplate().bots[0];
      assert.equal(bot.botId, GUID);
      assert.deepEqual([...bot.scopes].sort(), ['groupChat', 'personal', 'team']);
      assert.equal(bot.supportsFiles, false);
      const scopesCovered = new Set<string>();
      for (const list of bot.commandLists) {
        assert.deepEqual(list.commands.map((c: { title: string }) => c.title), COMMANDS);
        for (const command of list.commands) assert.ok(command.description.length > 10 && command.description.length <= 128, command.title);
        for (const scope of list.scopes) scopesCovered.add(scope);
      }
      assert.deepEqual([...scopesCovered].sort(), ['groupChat', 'personal', 'team']);
    });

    it('lists no commands by hand: the command menu comes from the command catalogue', () => {
      const bots = readTemplate().bots as Array<Record<string, unknown>>;
      for (const bot of bots) assert.ok(!('commandLists' in bot), 'the template has a commandLists');
      const menu = filledTemplate().bots[0].commandLists[0].commands;
      assert.deepEqual(menu, menuCommands());
      assert.deepEqual(menu[2], CATALOGUE.cluster.menu);
      // Administrator-only commands stay out of a menu every user sees.
      assert.ok(!menu.some((c: MenuCommand) => c.title.startsWith('admin')));
    });

    it("refuses a command menu beyond Teams' limits, naming the command, and a template that lists commands itself", () => {
      const filled = () => fillTemplate(readTemplate(), { BOT_ID: GUID, TEAMS_APP_ID: GUID, BOT_DOMAIN: undefined, APP_VERSION: '1.0.0' }) as Record<string, unknown>;
      const ok = (title: string): MenuCommand => ({ title, description: `What ${title} does for you` });
      const atLimit = Array.from({ length: MENU_LIMITS.commandsPerList }, (_, i) => ok(`command ${i}`));
      assert.equal((withCommandLists(filled(), atLimit) as any).bots[0].commandLists[0].commands.length, 10);

      const tooMany = thrown(() => withCommandLists(filled(), [...atLimit, ok('one more')]));
      assert.deepEqual(tooMany.problems, ['command menu: 11 commands have a menu entry in services/commands/command-catalogue.ts; Teams shows at most 10']);

      const longTitle = 'x'.repeat(MENU_LIMITS.titleLength + 1);
      const title = thrown(() => withCommandLists(filled(), [ok('help'), ok(longTitle)]));
      assert.equal(title.problems.length, 1);
      assert.match(title.problems[0]!, new RegExp(`^command menu: the title "${longTitle}" has 33 characters; Teams allows at most 32`));
      withCommandLists(filled(), [ok('x'.repeat(MENU_LIMITS.titleLength))]);

      const description = thrown(() => withCommandLists(filled(), [{ title: 'ladder', description: 'd'.repeat(129) }]));
      assert.match(description.problems.join('\n'), /^command menu: the description of "ladder" has 129 characters; Teams allows at most 128/);
      withCommandLists(filled(), [{ title: 'ladder', description: 'd'.repeat(128) }]);

      assert.match(thrown(() => withCommandLists(filled(), [ok('help'), ok('Help')])).message, /the title "Help" appears twice/);

      const handWritten = filled();
      (handWritten.bots as Array<Record<string, unknown>>)[0]!.commandLists = [];
      assert.match(thrown(() => withCommandLists(handWritten, menuCommands())).message, /\/bots\/0\/commandLists: remove it; the command menu is built from services\/commands\/command-catalogue\.ts/);
    });

    it('names the app Inclusion Assistant with an accent colour and developer links', () => {
      const manifest = filledTemplate();
      assert.equal(manifest.name.short, 'Inclusion Assistant');
      assert.match(manifest.accentColor, /^#[0-9A-Fa-f]{6}$/);
      for (const key of ['websiteUrl', 'privacyUrl', 'termsOfUseUrl']) assert.match(manifest.developer[key], /^https:\/\//);
    });

    it('drops the validDomains entry when BOT_DOMAIN is not given, and refuses unknown placeholders by name', () => {
      const manifest = fillTemplate(readTemplate(), { BOT_ID: GUID, TEAMS_APP_ID: GUID, BOT_DOMAIN: undefined, APP_VERSION: '1.0.0' }) as Record<string, any>;
      assert.deepEqual(manifest.validDomains, []);
      assert.deepEqual(findPlaceholders(manifest), []);

      const error = thrown(() => fillTemplate({ id: '${{BOT_ID}}', name: { short: 'x ${{APP_NAME_SUFFIX}}' } }, { BOT_ID: GUID }));
      assert.match(error.message, /\/name\/short: unknown placeholder \$\{\{APP_NAME_SUFFIX\}\}/);
      const missing = thrown(() => fillTemplate({ id: '${{BOT_ID}}' }, { BOT_ID: undefined }));
      assert.match(missing.message, /\/id: \$\{\{BOT_ID\}\} has no value: set BOT_ID/);
    });
  });

  describe('app icons', () => {
    const color = readFileSync(join(DEFAULT_MANIFEST_DIR, 'color.png'));
    const outline = readFileSync(join(DEFAULT_MANIFEST_DIR, 'outline.png'));

    it('are PNGs of the sizes Teams requires: color 192x192, outline 32x32', () => {
      assert.deepEqual([readPngHeader(color).width, readPngHeader(color).height], [192, 192]);
      assert.deepEqual([readPngHeader(outline).width, readPngHeader(outline).height], [32, 32]);
      assert.deepEqual(checkIcon('color', 'color.png', color), { problems: [], warnings: [] });
      assert.deepEqual(checkIcon('outline', 'outline.png', outline), { problems: [], warnings: [] });
    });

    it('outline is white on transparent; colour icon is filled with the accent colour', () => {
      const { rgba } = decodePng(outline);
      let visible = 0;
      for (let p = 0; p < rgba.length / 4; p++) {
        if (rgba[p * 4 + 3] === 0) continue;
        visible++;
        assert.deepEqual([rgba[p * 4], rgba[p * 4 + 1], rgba[p * 4 + 2]], [255, 255, 255], `outline pixel ${p}`);
      }
      assert.ok(visible > 32 && visible < 32 * 32 / 2, `visible pixels: ${visible}`);

      const colour = decodePng(color);
      const at = (x: number, y: number) => [...colour.rgba.subarray((y * 192 + x) * 4, (y * 192 + x) * 4 + 4)];
      const accent = readTemplate().accentColor as string;
      const expected = [1, 3, 5].map((i) => parseInt(accent.slice(i, i + 2), 16)).concat(255);
      assert.deepEqual(at(96, 12), expected);
      assert.deepEqual(at(12, 96), expected);
    });

    it('checkIcon refuses a wrong size and a coloured outline', () => {
      const size = checkIcon('outline', 'outline.png', color);
      assert.deepEqual(size.problems, ['outline.png (outline icon) is 192x192; Teams needs 32x32']);

      const rgba = new Uint8Array(32 * 32 * 4);
      rgba.set([255, 255, 255, 255], 0);
      rgba.set([0x1d, 0x6f, 0x7a, 255], (3 * 32 + 5) * 4);
      const coloured = checkIcon('outline', 'outline.png', encodePng(32, 32, rgba));
      assert.deepEqual(coloured.problems, ['outline.png (outline icon) must be white on transparent; pixel (5, 3) is #1d6f7a']);

      const opaque = checkIcon('outline', 'outline.png', encodePng(32, 32, new Uint8Array(32 * 32 * 4).fill(255)));
      assert.deepEqual(opaque.problems, ['outline.png (outline icon) must have a transparent background; no pixel is transparent']);

      assert.match(checkIcon('color', 'color.png', Buffer.from('not a png')).problems[0]!, /color\.png \(color icon\) is not a PNG file/);
    });
  });

  describe('npm run package', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'app-package-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const inputs = (over: Partial<PackageInputs> = {}): PackageInputs => ({
      botId: GUID,
      teamsAppId: GUID,
      botDomain: 'bot.example.org',
      appVersion: '1.4.0',
      outFile: join(dir, 'appPackage.zip'),
      // The shipped template's developer links are examples; these tests are about everything else.
      allowPlaceholders: true,
      ...over,
    });

    /** A copy of manifest/ whose template can be edited. */
    function manifestCopy(edit: (template: Record<string, any>) => void): string {
      const copy = join(dir, 'manifest');
      mkdirSync(copy);
      for (const file of ['color.png', 'outline.png']) copyFileSync(join(DEFAULT_MANIFEST_DIR, file), join(copy, file));
      const template = readTemplate();
      edit(template);
      writeFileSync(join(copy, 'manifest.template.json'), JSON.stringify(template, null, 2));
      return copy;
    }

    it('writes appPackage.zip with manifest.json and both icons at the root, every placeholder filled', async () => {
      const built = await buildAppPackage(inputs());
      assert.deepEqual(built.warnings.filter((w) => !w.includes('--allow-placeholders')), []);
      const zip = new AdmZip(join(dir, 'appPackage.zip'));
      assert.deepEqual(zip.getEntries().map((e) => e.entryName).sort(), ['color.png', 'manifest.json', 'outline.png']);

      const text = zip.readAsText('manifest.json');
      assert.ok(!text.includes('${{'), 'a placeholder is left in manifest.json');
      const manifest = JSON.parse(text);
      assert.equal(manifest.id, GUID);
      assert.equal(manifest.bots[0].botId, GUID);
      assert.equal(manifest.version, '1.4.0');
      assert.deepEqual(manifest.validDomains, ['bot.example.org']);
      assert.deepEqual(await validateManifestSchema(manifest), []);
      assert.ok(zip.readFile('color.png')!.equals(readFileSync(join(DEFAULT_MANIFEST_DIR, 'color.png'))));
      assert.ok(zip.readFile('outline.png')!.equals(readFileSync(join(DEFAULT_MANIFEST_DIR, 'outline.png'))));
      sinon.assert.notCalled(fetchStub);
    });

    it('uses TEAMS_APP_ID as the app id when given, the bot id otherwise', async () => {
      const built = await buildAppPackage(inputs({ teamsAppId: OTHER_GUID }));
      assert.equal(built.manifest.id, OTHER_GUID);
      assert.equal((built.manifest.bots as Array<{ botId: string }>)[0]!.botId, GUID);
      const fromEnv = parsePackageInputs({ BOT_ID: GUID }, [], { appVersion: '0.1.0', outFile: 'x.zip' });
      assert.equal(fromEnv.teamsAppId, GUID);
    });

    it('accepts a test id that is not a strict GUID, with a warning naming BOT_ID', async () => {
      const parsed = parsePackageInputs({ BOT_ID: TEST_ID }, ['--out', join(dir, 'appPackage.zip')], { appVersion: '0.1.0', outFile: 'x.zip' });
      const built = await buildAppPackage({ ...parsed, allowPlaceholders: true });
      assert.ok(existsSync(join(dir, 'appPackage.zip')));
      assert.equal(built.manifest.id, TEST_ID);
      const idWarnings = built.warnings.filter((w) => w.startsWith('BOT_ID'));
      assert.equal(idWarnings.length, 1);
      assert.match(idWarnings[0]!, /^BOT_ID "00000000-0000-0000-0000-00000000000011" is not a GUID/);
    });

    it('refuses example developer links by field unless --allow-placeholders, and writes nothing', async () => {
      const error = await rejection(buildAppPackage(inputs({ allowPlaceholders: undefined })));
      const lines = error.problems.filter((p) => /developer\./.test(p));
      assert.deepEqual(
        lines.map((p) => p.replace(/^.*?(developer\.\w+).*$/, '$1')),
        ['developer.websiteUrl', 'developer.privacyUrl', 'developer.termsOfUseUrl'],
      );
      assert.match(lines[1]!, /"https:\/\/inclusion-assistant\.example\.org\/privacy" is a placeholder address.*--allow-placeholders/);
      assert.ok(!existsSync(join(dir, 'appPackage.zip')));

      const allowed = parsePackageInputs({ BOT_ID: GUID }, ['--allow-placeholders', '--out', join(dir, 'appPackage.zip')], { appVersion: '0.1.0', outFile: 'x.zip' });
      const built = await buildAppPackage(allowed);
      assert.ok(existsSync(join(dir, 'appPackage.zip')));
      assert.ok(built.warnings.some((w) => /developer\.privacyUrl .*--allow-placeholders/.test(w)));
    });

    it('accepts the authority\'s own developer links, and knows the usual placeholders', async () => {
      const own = manifestCopy((t) => {
        t.developer.websiteUrl = 'https://www.lincolnshire.gov.uk/inclusion';
        t.developer.privacyUrl = 'https://www.lincolnshire.gov.uk/privacy';
        t.developer.termsOfUseUrl = 'https://www.lincolnshire.gov.uk/terms';
      });
      const built = await buildAppPackage(inputs({ allowPlaceholders: undefined }), own);
      assert.ok(!built.warnings.some((w) => /developer/.test(w)));
      for (const url of ['https://contoso.com/privacy', 'http://localhost:3978/terms', 'https://www.example.com', 'https://app.contoso.sharepoint.com/x', 'https://intranet.test/p']) {
        assert.ok(placeholderReason(url), url);
      }
      assert.equal(placeholderReason('https://council.gov.uk/examples-of-good-practice'), undefined);
    });

    it('refuses a bad BOT_ID with a message naming BOT_ID', () => {
      const defaults = { appVersion: '0.1.0', outFile: 'x.zip' };
      const cases: Array<[Record<string, string>, RegExp]> = [
        [{}, /^BOT_ID is required/],
        [{ BOT_ID: '   ' }, /^BOT_ID is required/],
        [{ BOT_ID: 'my-bot' }, /^BOT_ID "my-bot" is not an app id/],
        [{ BOT_ID: 'g2f1c5a6-3b7d-4c8e-9a0f-1d2e3f405162' }, /^BOT_ID .* is not an app id/],
        [{ BOT_ID: '2f1c5a6e-3b7d-4c8e-9a0f' }, /^BOT_ID .* has 23 characters; an app id has 32 to 40/],
        [{ BOT_ID: `${GUID}-0000` }, /^BOT_ID .* has 41 characters/],
      ];
      for (const [env, expected] of cases) {
        const error = thrown(() => parsePackageInputs(env, [], defaults));
        assert.equal(error.problems.length, 1, JSON.stringify(env));
        assert.match(error.problems[0]!, expected);
      }
      // A flag overrides the environment, in both spellings.
      assert.equal(parsePackageInputs({ BOT_ID: 'bad' }, [`--bot-id=${GUID}`], defaults).botId, GUID);
      assert.equal(parsePackageInputs({ BOT_ID: 'bad' }, ['--bot-id', GUID], defaults).botId, GUID);
    });

    it('refuses a bad BOT_DOMAIN, APP_VERSION or TEAMS_APP_ID by name, and unknown flags', () => {
      const defaults = { appVersion: '0.1.0', outFile: 'x.zip' };
      const error = thrown(() =>
        parsePackageInputs({ BOT_ID: GUID, BOT_DOMAIN: 'https://bot.example.org/api', APP_VERSION: '1.0', TEAMS_APP_ID: 'app' }, [], defaults),
      );
      assert.equal(error.problems.length, 3);
      assert.match(error.problems.join('\n'), /^TEAMS_APP_ID "app" is not an app id/m);
      assert.match(error.problems.join('\n'), /^BOT_DOMAIN must be a host name/m);
      assert.match(error.problems.join('\n'), /^APP_VERSION must be MAJOR\.MINOR\.PATCH/m);
      assert.match(thrown(() => parsePackageInputs({ BOT_ID: GUID }, ['--botid', GUID], defaults)).message, /unknown argument "--botid"/);
      assert.match(thrown(() => parsePackageInputs({ BOT_ID: GUID }, [], { appVersion: '1.0.0-beta.1', outFile: 'x' })).message, /^APP_VERSION is not set and the package.json version/);
      assert.equal(parsePackageInputs({ BOT_ID: GUID, BOT_DOMAIN: '*.example.org' }, [], defaults).botDomain, '*.example.org');
    });

    it('refuses a template that breaks the schema, naming the field, and writes nothing', async () => {
      const manifestDir = manifestCopy((t) => {
        (t.name as Record<string, string>).short = 'Inclusion Assistant for Schools';
      });
      const error = await rejection(buildAppPackage(inputs(), manifestDir));
      assert.equal(error.problems.length, 1);
      assert.match(error.problems[0]!, /manifest\.template\.json \(filled\) \/name\/short: must NOT have more than 30 characters/);
      assert.ok(!existsSync(join(dir, 'appPackage.zip')));
      assert.ok(!existsSync(join(dir, 'appPackage.zip.partial')));
    });

    it('writes the command menu from the catalogue in every scope, and refuses one over the limits without writing', async () => {
      const built = await buildAppPackage(inputs());
      const lists = (built.manifest.bots as Array<{ commandLists: Array<{ scopes: string[]; commands: unknown[] }> }>)[0]!.commandLists;
      assert.deepEqual(lists.map((l) => l.scopes), [['personal'], ['team'], ['groupChat']]);
      for (const list of lists) assert.deepEqual(list.commands, menuCommands());
      rmSync(join(dir, 'appPackage.zip'));

      const long = { title: 'ladder', description: `${'a very long description '.repeat(6)}` };
      const error = await rejection(buildAppPackage(inputs(), DEFAULT_MANIFEST_DIR, [...menuCommands(), long]));
      assert.deepEqual(error.problems, ['command menu: the description of "ladder" has 144 characters; Teams allows at most 128 (services/commands/command-catalogue.ts)', 'command menu: the title "ladder" appears twice (services/commands/command-catalogue.ts)']);
      assert.ok(!existsSync(join(dir, 'appPackage.zip')));
    });

    it('refuses an icon of the wrong size and a template that is not JSON, by file', async () => {
      const wrongIcon = manifestCopy(() => undefined);
      copyFileSync(join(wrongIcon, 'color.png'), join(wrongIcon, 'outline.png'));
      const iconError = await rejection(buildAppPackage(inputs(), wrongIcon));
      assert.deepEqual(iconError.problems, ['outline.png (outline icon) is 192x192; Teams needs 32x32']);

      writeFileSync(join(wrongIcon, 'manifest.template.json'), '{\n  "manifestVersion": "1.30",\n  "id" "x"\n}\n');
      const jsonError = await rejection(buildAppPackage(inputs(), wrongIcon));
      assert.match(jsonError.message, /manifest\.template\.json line 3, column 8: not valid JSON/);
      assert.ok(!existsSync(join(dir, 'appPackage.zip')));
    });

    describe('command line', () => {
      const run = (args: string[], env: Record<string, string> = {}) => {
        const { BOT_ID: _b, TEAMS_APP_ID: _t, BOT_DOMAIN: _d, APP_VERSION: _v, ...rest } = process.env;
        return spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'package-app.ts'), ...args], {
          cwd: dir,
          env: { ...rest, ...env },
          encoding: 'utf8',
        });
      };

      it('exits 1 with one line naming BOT_ID when the id is bad, and writes nothing', () => {
        const result = run(['--bot-id', 'not-an-id']);
        assert.equal(result.status, 1);
        assert.equal(result.stdout, '');
        assert.deepEqual(result.stderr.trim().split('\n'), [
          'package: BOT_ID "not-an-id" is not an app id: use only hexadecimal digits and hyphens (the Microsoft App ID from the bot registration)',
        ]);
        assert.ok(!existsSync(join(dir, 'appPackage.zip')));
      });

      it('exits 0 and writes appPackage.zip in the working directory', () => {
        const result = run(['--allow-placeholders'], { BOT_ID: GUID, BOT_DOMAIN: 'bot.example.org' });
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /^package: wrote appPackage\.zip \(manifest v1\.30/);
        const manifest = JSON.parse(new AdmZip(join(dir, 'appPackage.zip')).readAsText('manifest.json'));
        assert.equal(manifest.bots[0].botId, GUID);
        assert.equal(manifest.version, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
      });
    });
  });

  describe('PNG reader', () => {
    // Builds a PNG whose rows use the given filter, to check the decoder undoes each of them.
    function filteredPng(width: number, height: number, rgba: Uint8Array, filter: number): Buffer {
      const stride = width * 4;
      const rows: Buffer[] = [];
      for (let y = 0; y < height; y++) {
        const row = Buffer.alloc(stride + 1);
        row[0] = filter;
        for (let i = 0; i < stride; i++) {
          const at = (yy: number, ii: number) => (yy >= 0 && ii >= 0 ? rgba[yy * stride + ii]! : 0);
          const a = at(y, i - 4), b = at(y - 1, i), c = at(y - 1, i - 4);
          const p = a + b - c;
          const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
          const predictor = [0, a, b, (a + b) >> 1, paeth][filter]!;
          row[i + 1] = (rgba[y * stride + i]! - predictor) & 0xff;
        }
        rows.push(row);
      }
      // Reuse a filter-0 PNG for the header and swap in the filtered image data (CRCs are not checked).
      const plain = encodePng(width, height, rgba);
      const ihdrEnd = 8 + 12 + 13;
      const data = deflateSync(Buffer.concat(rows));
      const length = Buffer.alloc(4);
      length.writeUInt32BE(data.length);
      return Buffer.concat([plain.subarray(0, ihdrEnd), length, Buffer.from('IDAT'), data, Buffer.alloc(4), Buffer.from([0, 0, 0, 0]), Buffer.from('IEND'), Buffer.alloc(4)]);
    }

    it('undoes every PNG row filter', () => {
      const width = 5, height = 4;
      const rgba = new Uint8Array(width * height * 4);
      for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 37 + (i >> 3) * 11) & 0xff;
      for (const filter of [0, 1, 2, 3, 4]) {
        const decoded = decodePng(filteredPng(width, height, rgba, filter));
        assert.deepEqual([...decoded.rgba], [...rgba], `filter ${filter}`);
      }
    });
  });
});
