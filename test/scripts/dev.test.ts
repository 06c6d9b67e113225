import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { parseDevArgs } from '../../scripts/lib/dev-session';
import {
  choosePerson,
  DEFAULT_PLAYGROUND_PORT,
  describePerson,
  listeningPort,
  PLAYGROUND_DIR,
  PLAYGROUND_PEOPLE,
  playgroundConfig,
  playgroundEnv,
  writePlaygroundConfig,
} from '../../scripts/lib/playground';
import { assertPortFree, startChild, stopChild } from '../../scripts/lib/processes';
import { UsageError } from '../../scripts/lib/usage-error';
import { DEMO_USERS } from '../../scripts/demo/demo-users';

const USER_KEYS = ['aadObjectId', 'email', 'givenName', 'id', 'name', 'surname', 'userPrincipleName'];

describe('scripts/dev', () => {
  describe('playgroundConfig', () => {
    it('makes the LA manager (…020) the current user by default, with exactly five other users', () => {
      const config = playgroundConfig(choosePerson(undefined)) as any;
      assert.equal(config.version, '0.1.1');
      assert.equal(config.currentUser.aadObjectId, '00000000-0000-0000-0000-0000000000020');
      assert.equal(config.currentUser.name, 'Alex Wilber');
      assert.equal(config.users.length, 5);
      const ids = [config.currentUser.id, ...config.users.map((u: any) => u.id)];
      assert.equal(new Set(ids).size, 6, 'user ids must be unique across currentUser and users');
      for (const user of [config.currentUser, ...config.users]) assert.deepEqual(Object.keys(user).sort(), USER_KEYS);
      const conversationIds = [config.personalChat.id, config.groupChat.id, config.team.id, ...config.team.channels.map((c: any) => c.id)];
      assert.equal(new Set(conversationIds).size, conversationIds.length);
      assert.ok(config.team.channels.length <= 1, 'the Playground allows one channel besides General');
      assert.ok(config.bot.name.length <= 42);
    });

    it('gives every demo staff user a Playground person with the same AAD object id', () => {
      for (const demo of DEMO_USERS) {
        const person = PLAYGROUND_PEOPLE.find((p) => p.aadObjectId === demo.aadObjectId);
        assert.ok(person, `${demo.name} has no Playground person`);
        assert.equal(person.name, demo.name);
        assert.equal(person.email, demo.email);
      }
    });

    it('puts the chosen user in currentUser and everyone else in users', () => {
      const config = playgroundConfig(choosePerson('attendance_officer')) as any;
      assert.equal(config.currentUser.aadObjectId, '00000000-0000-0000-0000-0000000000021');
      assert.ok(!config.users.some((u: any) => u.id === config.currentUser.id));
      assert.ok(config.users.some((u: any) => u.aadObjectId === '00000000-0000-0000-0000-0000000000020'));
    });

    it('writes YAML the Playground finds in its working folder', () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'dev-config-'));
      try {
        const file = writePlaygroundConfig(dir, choosePerson('admin'));
        assert.equal(file, path.join(dir, '.m365agentsplayground.yml'));
        const parsed = YAML.parse(readFileSync(file, 'utf8'));
        assert.equal(parsed.currentUser.name, 'Patti Fernandez');
        assert.equal(parsed.version, '0.1.1', 'the version must stay a string');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('choosePerson', () => {
    it('accepts a role, a first name, the last digits or the whole AAD object id, and unknown', () => {
      assert.equal(choosePerson('school_leader').name, 'Adele Vance');
      assert.equal(choosePerson('Isaiah').name, 'Isaiah Langer');
      assert.equal(choosePerson('24').name, 'Patti Fernandez');
      assert.equal(choosePerson('00000000-0000-0000-0000-0000000000021').name, 'Megan Bowen');
      assert.equal(choosePerson('unknown').name, 'Lynne Robbins');
    });

    it('rejects anyone else with the choices listed', () => {
      assert.throws(() => choosePerson('headteacher'), (error: Error) => error instanceof UsageError && /la_manager/.test(error.message));
    });

    it('describes each person as the bot will see them', () => {
      assert.equal(describePerson(choosePerson(undefined)), 'Alex Wilber: LA manager, the whole county');
      assert.equal(describePerson(choosePerson('cluster_member')), 'Isaiah Langer: Cluster member, Lincoln');
      assert.match(describePerson(choosePerson('unknown')), /not a staff user/);
    });
  });

  describe('parseDevArgs', () => {
    it('defaults to the LA manager, the full county and port 56150 in .playground/', () => {
      const options = parseDevArgs([], {});
      assert.ok(options !== 'help');
      assert.equal(options.person.name, 'Alex Wilber');
      assert.equal(options.pupils, 100_000);
      assert.equal(options.playgroundPort, DEFAULT_PLAYGROUND_PORT);
      assert.equal(options.playgroundDir, PLAYGROUND_DIR);
    });

    it('reads --as, --pupils, --seed, PLAYGROUND_PORT and PLAYGROUND_DIR', () => {
      const options = parseDevArgs(['--as', 'admin', '--pupils', '2000', '--seed', 'x'], { PLAYGROUND_PORT: '56200', PLAYGROUND_DIR: '/tmp/pg' });
      assert.ok(options !== 'help');
      assert.equal(options.person.name, 'Patti Fernandez');
      assert.equal(options.pupils, 2000);
      assert.equal(options.seed, 'x');
      assert.equal(options.playgroundPort, 56200);
      assert.equal(options.playgroundDir, '/tmp/pg');
    });

    it('rejects bad values with a message naming the flag or variable', () => {
      assert.throws(() => parseDevArgs(['--pupils', 'lots'], {}), /--pupils lots/);
      assert.throws(() => parseDevArgs([], { PLAYGROUND_PORT: '70000' }), /PLAYGROUND_PORT/);
      assert.throws(() => parseDevArgs(['--colour'], {}), UsageError);
      assert.equal(parseDevArgs(['--help'], {}), 'help');
    });
  });

  describe('the Playground process', () => {
    it('puts the no-op xdg-open first on PATH and points the Playground at our config', () => {
      const env = playgroundEnv({ PATH: '/usr/bin' }, '/x/.m365agentsplayground.yml');
      assert.equal(env.PATH!.split(path.delimiter)[0], path.join(PLAYGROUND_DIR, '..', 'scripts', 'bin'));
      assert.equal(env.M365_AGENTS_PLAYGROUND_CONFIG_PATH, '/x/.m365agentsplayground.yml');
    });

    it('reads the port the Playground really listens on', () => {
      assert.equal(listeningPort('Listening on 56150'), 56150);
      assert.equal(listeningPort('log Microsoft 365 Agents Playground is being launched'), undefined);
    });

    it('says clearly when a port is already taken', async () => {
      const holder: Server = createServer();
      await new Promise<void>((resolve) => holder.listen(0, resolve));
      const port = (holder.address() as { port: number }).port;
      try {
        await assert.rejects(assertPortFree(port, undefined, 'bot', 'set PORT'), (error: Error) => {
          assert.match(error.message, new RegExp(`Port ${port} is already in use, so the bot cannot start there`));
          return true;
        });
      } finally {
        await new Promise((resolve) => holder.close(resolve));
      }
      await assertPortFree(port, undefined, 'bot', 'set PORT');
    });
  });

  describe('stopping', () => {
    // Like `node tsx/cli bot/main.ts`: a wrapper that runs the real program in a second process and
    // dies on SIGTERM without passing it on; the program ignores SIGTERM. Both share our stdout pipe,
    // so the pipe closes only when both have gone: that is what the test waits for (no timers).
    const program = "process.on('SIGTERM', () => {}); console.log('program ' + process.pid); setInterval(() => {}, 1000);";
    const wrapper = `const { spawn } = require('node:child_process');
      spawn(process.execPath, ['-e', ${JSON.stringify(program)}], { stdio: 'inherit' });
      process.on('SIGTERM', () => process.exit(0));
      setInterval(() => {}, 1000);`;

    /** Running (a zombie waiting for a parent to reap it counts as gone: it holds no port). */
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
      } catch {
        return false;
      }
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
      } catch {
        return false;
      }
    };

    it('stops everything the child started, not only the child, so nothing keeps the port', async () => {
      const child = startChild('bot', process.execPath, ['-e', wrapper], { cwd: os.tmpdir(), env: process.env });
      let programPid: number | undefined;
      const started = new Promise<void>((resolve) =>
        child.onLine((line) => {
          const m = /^program (\d+)$/.exec(line);
          if (m) {
            programPid = Number(m[1]);
            resolve();
          }
        }),
      );
      const closed = new Promise<void>((resolve) => child.process.stdout!.once('close', () => resolve()));
      try {
        await started;
        await stopChild(child, 600000);
        await closed;
        // The pipe closes as the killed program releases its files, a moment before the kernel
        // marks it a zombie: wait (bounded) for that, rather than read its state mid-exit.
        for (let i = 0; i < 500 && alive(programPid!); i++) await new Promise((resolve) => setTimeout(resolve, 20));
        assert.ok(!alive(programPid!), 'the program the wrapper started is gone');
      } finally {
        if (programPid) {
          try {
            process.kill(programPid, 'SIGKILL');
          } catch {
            // Already gone: the expected case.
          }
        }
      }
    });
  });
});
