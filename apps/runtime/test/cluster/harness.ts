/**
 * Test harness for the one-machine multi-node swarm made by `scripts/cluster.sh`: bring it up and
 * down, stop and start a worker, read its addresses; and, on the address the workers' tasks reach
 * (the host end of the test subnet, `hostAddr`), a file server and a proxy whose `Gate` holds
 * responses half-way, so a test can stop a worker while its tasks are certainly mid-run. */
import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { accessSync, constants, createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CLUSTER_SCRIPT = join(REPO_ROOT, 'scripts/cluster.sh');
const BUILD_IMAGE_SCRIPT = join(REPO_ROOT, 'scripts/build-image.sh');

/** One worker engine of the cluster. `index` counts from 1, as `cluster.sh stop-worker N` does. */
export interface ClusterWorker {
  readonly index: number;
  readonly socket: string;
  readonly addr: string;
  readonly nodeId: string;
}

/** What `cluster.sh up` reports, parsed from its KEY=VALUE lines. */
export interface ClusterInfo {
  readonly prefix: string;
  /** The host end of the test subnet: where tasks on any engine reach the runtime / file server. */
  readonly hostAddr: string;
  readonly image: string;
  readonly managerSocket: string;
  readonly managerAddr: string;
  readonly managerNodeId: string;
  readonly workers: readonly ClusterWorker[];
}

/** Options shared by every cluster command: a prefix and subnet of its own keep it apart. */
export interface ClusterOptions {
  readonly prefix: string;
  /** First three octets of the private /24 the cluster uses, e.g. `10.77.7` (needed by `up`). */
  readonly subnet?: string;
  readonly workers?: number;
}

/** Prefixes of test clusters carry the owning process id (base 36), so leftovers can be found. */
const TEST_PREFIX = /^rt([0-9a-z]{1,5})$/;

/**
 * Options for a cluster of this process alone: the prefix names this process, and the subnet is
 * one of 10.77.20-219 that no interface of the host uses yet. Test runs that overlap (two people
 * running the suite) then never tear down each other's cluster.
 */
export function ownClusterOptions(workers: number): ClusterOptions {
  const used = new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((a) => a?.address.split('.').slice(0, 3).join('.')),
  );
  for (let i = 0; i < 200; i++) {
    const subnet = `10.77.${20 + ((process.pid + i) % 200)}`;
    if (!used.has(subnet)) return { prefix: `rt${process.pid.toString(36)}`, subnet, workers };
  }
  throw new Error('no free test subnet in 10.77.20.0-10.77.219.0');
}

/** Remove the test clusters of processes that are gone (a run that was killed leaves its cluster). */
export async function removeOrphanClusters(): Promise<void> {
  const { stdout } = await run('ip', ['netns', 'list']);
  const prefixes = stdout
    .split('\n')
    .map((line) => /^(\S+)-hub\b/.exec(line)?.[1])
    .filter((p): p is string => p !== undefined && TEST_PREFIX.test(p));
  for (const prefix of prefixes) {
    if (!isAlive(parseInt(TEST_PREFIX.exec(prefix)![1]!, 36))) await clusterDown({ prefix });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why this machine cannot make the cluster, or undefined when it can (root, dockerd, ip). */
export function clusterUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, dockerd)';
  for (const tool of ['/usr/sbin/dockerd', '/usr/sbin/ip', '/usr/bin/nsenter']) {
    try {
      accessSync(tool, constants.X_OK);
    } catch {
      return `${tool} is missing (run scripts/setup.sh)`;
    }
  }
  return existsSync('/var/run/docker.sock')
    ? undefined
    : 'no host Docker engine (run scripts/engine.sh)';
}

/** Parse `KEY=VALUE` lines (other lines are ignored). */
export function parseKeyValues(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) values.set(m[1]!, m[2]!);
  }
  return values;
}

function required(values: Map<string, string>, key: string): string {
  const value = values.get(key);
  if (value === undefined || value === '') throw new Error(`cluster.sh printed no ${key}`);
  return value;
}

/** Turn the KEY=VALUE output of `cluster.sh up|status` into a ClusterInfo. */
export function toClusterInfo(values: Map<string, string>): ClusterInfo {
  const count = Number(required(values, 'WORKERS'));
  const workers = Array.from({ length: count }, (_, i) => ({
    index: i + 1,
    socket: required(values, `WORKER_${i + 1}_SOCKET`),
    addr: required(values, `WORKER_${i + 1}_ADDR`),
    nodeId: required(values, `WORKER_${i + 1}_NODE_ID`),
  }));
  return {
    prefix: required(values, 'CLUSTER_PREFIX'),
    hostAddr: required(values, 'HOST_ADDR'),
    image: required(values, 'IMAGE'),
    managerSocket: required(values, 'MANAGER_SOCKET'),
    managerAddr: required(values, 'MANAGER_ADDR'),
    managerNodeId: required(values, 'MANAGER_NODE_ID'),
    workers,
  };
}

async function cluster(
  args: readonly string[],
  options: ClusterOptions,
  timeoutMs: number,
): Promise<string> {
  const all = [...args, '--prefix', options.prefix];
  if (options.subnet !== undefined) all.push('--subnet', options.subnet);
  if (options.workers !== undefined && args[0] === 'up')
    all.push('--workers', String(options.workers));
  try {
    const { stdout } = await run('bash', [CLUSTER_SCRIPT, ...all], {
      timeout: timeoutMs,
      maxBuffer: 1 << 20,
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`cluster.sh ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`, {
      cause: error,
    });
  }
}

/** Make sure the task image exists on the host engine (idempotent; quick when up to date). */
export async function ensureHostImage(): Promise<void> {
  await run('bash', [BUILD_IMAGE_SCRIPT], { timeout: 240_000, maxBuffer: 1 << 20 });
}

/** `cluster.sh up`: engines, swarm, image on each engine, labels. */
export async function clusterUp(options: ClusterOptions): Promise<ClusterInfo> {
  return toClusterInfo(parseKeyValues(await cluster(['up'], options, 240_000)));
}

/** `cluster.sh down`: removes everything, also what a failed `up` left. */
export async function clusterDown(options: ClusterOptions): Promise<void> {
  await cluster(['down'], options, 120_000);
}

/** Stop worker `index`'s engine, as a failed machine would disappear. */
export async function stopWorker(options: ClusterOptions, index: number): Promise<void> {
  await cluster(['stop-worker', String(index)], options, 90_000);
}

/** Start worker `index`'s engine again; it rejoins the swarm from its saved state. */
export async function startWorker(options: ClusterOptions, index: number): Promise<void> {
  await cluster(['start-worker', String(index)], options, 90_000);
}

/**
 * Holds responses half-way until released: a task reading through it is then certainly mid-run
 * when the test acts, however fast or slow the machine is.
 */
export class Gate {
  private readonly rules: Array<(path: string) => boolean> = [];
  private open!: () => void;
  private readonly opened = new Promise<void>((ok) => (this.open = ok));

  /** Hold GET responses of `path` (exact) or of every path `test` accepts. */
  hold(test: string | ((path: string) => boolean)): void {
    this.rules.push(typeof test === 'string' ? (path) => path === test : test);
  }

  /** Let held and future responses finish. */
  release(): void {
    this.open();
  }

  /**
   * The stream a response of `size` bytes for `path` goes through: it passes the first half at
   * once and the rest after `release()` when the path is held, everything at once otherwise.
   */
  stream(path: string, size: number): Transform {
    if (!this.rules.some((rule) => rule(path))) return new PassThrough();
    const limit = Math.floor(size / 2);
    const opened = this.opened;
    let passed = 0;
    return new Transform({
      transform(chunk: Buffer, _encoding, done) {
        const free = Math.max(0, limit - passed);
        passed += chunk.length;
        if (chunk.length <= free) return done(null, chunk);
        if (free > 0) this.push(chunk.subarray(0, free));
        opened.then(() => done(null, chunk.subarray(free)), done);
      },
    });
  }
}

/** A tiny file server: GET reads and PUT writes files under its root (the tasks' storage). */
export interface FileServer {
  /** Base URL, e.g. `http://10.77.7.1:40123`. */
  readonly url: string;
  /** URL paths (with a leading slash) whose PUT body was stored completely → the sender's address. */
  readonly stored: Map<string, string>;
  /** Resolves with the sender's address once a PUT of `path` is stored (a task's exit can come first). */
  whenStored(path: string): Promise<string>;
  /** PUTs that failed, e.g. `/out.ts: aborted` (to explain a missing output). */
  readonly failures: string[];
  /** Holds GETs half-way on request. */
  readonly gate: Gate;
  close(): Promise<void>;
}

/** Resolve a request path under `root`, or undefined when it would leave it. */
function localPath(root: string, urlPath: string): string | undefined {
  const path = resolve(root, `.${decodeURIComponent(urlPath)}`);
  return path.startsWith(root + sep) ? path : undefined;
}

/** Serve `root` over HTTP on `host` (a port chosen by the system). */
export async function startFileServer(root: string, host: string): Promise<FileServer> {
  const stored = new Map<string, string>();
  const failures: string[] = [];
  const storedEvents = new EventEmitter();
  const gate = new Gate();
  const server = createServer((req, res) => {
    const urlPath = (req.url ?? '/').split('?')[0]!;
    // Read now: once the sender has closed the connection the socket no longer knows it.
    const sender = req.socket.remoteAddress ?? '';
    const path = localPath(resolve(root), urlPath);
    if (!path) return void res.writeHead(400).end();
    const answer = (status: number) => () => void (res.headersSent || res.writeHead(status).end());
    if (req.method === 'GET') {
      stat(path).then((s) => {
        res.writeHead(200, { 'content-length': s.size });
        pipeline(createReadStream(path), gate.stream(urlPath, s.size), res).catch(answer(500));
      }, answer(404));
    } else if (req.method === 'PUT') {
      mkdir(dirname(path), { recursive: true })
        .then(() => pipeline(req, createWriteStream(path)))
        .then(() => {
          stored.set(urlPath, sender);
          storedEvents.emit(urlPath, sender);
          answer(201)();
        })
        .catch((error: Error) => {
          failures.push(`${urlPath}: ${error.message}`);
          answer(500)();
        });
    } else {
      res.writeHead(405).end();
    }
  });
  const url = await listen(server, host);
  return {
    url,
    stored,
    failures,
    whenStored: (path) => {
      const sender = stored.get(path);
      if (sender !== undefined) return Promise.resolve(sender);
      return new Promise((ok) => storedEvents.once(path, ok));
    },
    gate,
    close: () => closeServer(server),
  };
}

/** A forwarding proxy, on an address tasks reach, in front of a server whose GETs it can hold. */
export interface HoldingProxy {
  readonly url: string;
  readonly gate: Gate;
  /** Where requests go, e.g. the runtime's URL once it listens. */
  forwardTo(target: string): void;
  close(): Promise<void>;
}

/**
 * Start a proxy on `host`. Given to the runtime as its `publicUrl`, it sits between the tasks
 * and the runtime's file routes, so a test can hold the chunks tasks pull.
 */
export async function startHoldingProxy(host: string): Promise<HoldingProxy> {
  const gate = new Gate();
  let target: URL | undefined;
  const server = createServer((req, res) => {
    if (!target) return void res.writeHead(503).end();
    const urlPath = (req.url ?? '/').split('?')[0]!;
    const upstream = request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        const size = Number(answer.headers['content-length'] ?? 0);
        const through = req.method === 'GET' ? gate.stream(urlPath, size) : new PassThrough();
        pipeline(answer, through, res).catch(() => res.destroy());
      },
    );
    upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    pipeline(req, upstream).catch(() => upstream.destroy());
  });
  const url = await listen(server, host);
  return {
    url,
    gate,
    forwardTo: (to) => (target = new URL(to)),
    close: () => closeServer(server),
  };
}

/** Listen on `host` (a port chosen by the system); resolves with the base URL. */
async function listen(server: Server, host: string): Promise<string> {
  // ffmpeg closes its connection right after the last chunk of a PUT, without waiting for the
  // answer. Node would then end the socket and destroy the unanswered request, dropping body bytes
  // not read yet ("aborted"); half-open keeps the socket until the answer is sent. A PUT cut off
  // mid-body still fails: its chunked encoding never ends.
  // (`httpAllowHalfOpen` is a long-standing http.Server property that @types/node omits.)
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, host, ok);
  });
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

/** Close a server, cutting connections still open (held responses included). */
function closeServer(server: Server): Promise<void> {
  return new Promise((ok) => {
    server.closeAllConnections();
    server.close(() => ok());
  });
}
