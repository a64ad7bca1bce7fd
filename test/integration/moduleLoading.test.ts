import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EXPORTER_BIN } from '../helpers/exporter';

/**
 * What a command loads at start, in Node.js itself (jest keeps a module
 * registry of its own, where the stand-ins of src/docker/dockerode.ts never
 * take effect): gRPC, ssh2 and the YAML parser cost every start 0.2 s and are
 * needed only for an image build (never), a daemon over ssh and a web config.
 */
describe('module loading', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dde-modules-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** The packages (by their folder under node_modules) the command had loaded when it exited. */
  function packagesLoadedBy(args: string[]): Set<string> {
    const report = path.join(dir, `loaded-${args[0]}.json`);
    const hook = path.join(dir, 'hook.js');
    writeFileSync(
      hook,
      `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify(Object.keys(require.cache))));\n`,
    );
    spawnSync(process.execPath, ['--require', hook, EXPORTER_BIN, ...args], { encoding: 'utf8', timeout: 30000 });
    const files = JSON.parse(readFileSync(report, 'utf8')) as string[];
    return new Set(files.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter((p): p is string => p !== undefined));
  }

  it.each([['check'], ['plan'], ['textfile']])('%s loads dockerode without gRPC, ssh2 or YAML', (command) => {
    const args =
      command === 'textfile'
        ? ['textfile', '--docker.host', `unix://${dir}/none.sock`, '--output', path.join(dir, 'out.prom')]
        : [command, '--docker.host', `unix://${dir}/none.sock`];
    const loaded = packagesLoadedBy(args);
    expect(loaded.has('dockerode')).toBe(true);
    expect(loaded.has('docker-modem')).toBe(true);
    expect(loaded.has('winston')).toBe(true);
    for (const deferred of ['@grpc/grpc-js', '@grpc/proto-loader', 'ssh2', 'yaml']) expect(loaded.has(deferred)).toBe(false);
  });

  it('a deferred module is loaded at its first call, once, and answers as itself', () => {
    const real = path.join(dir, 'real.js');
    writeFileSync(
      real,
      'globalThis.evaluated = (globalThis.evaluated || 0) + 1;\nmodule.exports = function (a, b) { return [this && this.who, a + b]; };\n',
    );
    const script = `
      const { deferModule } = require(${JSON.stringify(path.join(path.dirname(EXPORTER_BIN), 'docker', 'dockerode.js'))});
      deferModule(${JSON.stringify(real)});
      const fn = require(${JSON.stringify(real)});
      const before = globalThis.evaluated || 0;
      const first = fn.call({ who: 'caller' }, 2, 3);
      const second = fn(4, 5);
      console.log(JSON.stringify({ before, after: globalThis.evaluated, first, second, again: require(${JSON.stringify(real)})(1, 1) }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(out).toEqual({ before: 0, after: 1, first: ['caller', 5], second: [null, 9], again: [null, 2] });
  });

  it("defers dockerode's image-build session and docker-modem's ssh transport as installed: each a function, stood in for until its first call, then the real one", () => {
    const dockerodeJs = path.join(path.dirname(EXPORTER_BIN), 'docker', 'dockerode.js');
    const script = `
      const path = require('path');
      const http = require('http');
      const { deferUnusedModules, dockerode } = require(${JSON.stringify(dockerodeJs)});
      const loaded = (part) => Object.keys(require.cache).some((f) => f.includes(part));
      const files = deferUnusedModules();
      const out = { files: files.map((f) => f.split('node_modules/').pop()) };
      const Docker = dockerode();
      out.modem = typeof new Docker({ socketPath: '/nonexistent.sock' }).modem.dial;
      out.grpcWithDockerode = loaded('/@grpc/');
      const ssh = files[1];
      const standIn = require(ssh);
      out.ssh2Before = loaded('/ssh2/');
      const agent = standIn({ host: '127.0.0.1', port: 1 });
      out.ssh2After = loaded('/ssh2/');
      out.agent = agent instanceof http.Agent;
      out.realNow = require.cache[ssh] !== undefined && require(ssh) !== standIn && typeof require(ssh) === 'function';
      console.log(JSON.stringify(out));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(out).toEqual({
      files: ['dockerode/lib/session.js', 'docker-modem/lib/ssh.js'],
      modem: 'function',
      grpcWithDockerode: false,
      ssh2Before: false,
      ssh2After: true,
      agent: true,
      realNow: true,
    });
    // What the stand-ins stand for: each real module exports one function.
    for (const file of ['dockerode/lib/session.js', 'docker-modem/lib/ssh.js']) {
      const real = execFileSync(
        process.execPath,
        [
          '-e',
          `console.log(typeof require(require.resolve(${JSON.stringify(file)}, { paths: [${JSON.stringify(path.dirname(EXPORTER_BIN))}] })))`,
        ],
        {
          encoding: 'utf8',
        },
      );
      expect([file, real.trim()]).toEqual([file, 'function']);
    }
  });
});
