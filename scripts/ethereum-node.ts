// The local Ethereum node: ETH_RPC_URL if set; otherwise go-ethereum's geth, built from the Go
// module proxy into .cache/ (once; ~4.5 min on 2 cores, seconds when Go's build cache has it) and
// run in dev mode: one funded, unlocked developer account, a block as soon as a transaction
// waits, chain id 1337, on loopback only. Measured here: geth answers its first JSON-RPC call
// 0.7 s after it is started (Hardhat's node, the other candidate, was not measured: geth is one
// binary, built the way FerretDB is, and its start-up left nothing to gain).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { freePort, InfraError, startServerProcess } from './infra.ts';

const execFileAsync = promisify(execFile);
const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const GETH_VERSION = 'v1.17.10';
const GETH_DIR = join(ROOT, '.cache', 'geth', GETH_VERSION);
const GETH_BIN = join(GETH_DIR, 'geth');

export interface EthereumNode {
  rpcUrl: string;
  /** what provides it, for a start banner */
  provider: string;
  stop(): Promise<void>;
}

async function buildGeth(log: (line: string) => void): Promise<string> {
  if (existsSync(GETH_BIN)) return GETH_BIN;
  log(`infra: building geth ${GETH_VERSION} with Go (once; a few minutes)…`);
  mkdirSync(GETH_DIR, { recursive: true });
  try {
    await execFileAsync('go', ['install', `github.com/ethereum/go-ethereum/cmd/geth@${GETH_VERSION}`], {
      env: { ...process.env, GOBIN: GETH_DIR },
      maxBuffer: 1 << 24,
    });
  } catch (err) {
    throw new InfraError(
      `building geth failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`,
    );
  }
  return GETH_BIN;
}

/** An Ethereum node to read and write: ETH_RPC_URL, or a dev-mode geth started here (its data removed on stop). */
export async function ensureEthereumNode(
  log: (line: string) => void = (line) => console.error(line),
): Promise<EthereumNode> {
  const given = process.env.ETH_RPC_URL;
  if (given) return { rpcUrl: given, provider: 'ETH_RPC_URL', stop: async () => undefined };
  const bin = await buildGeth(log);
  const dataDir = mkdtempSync(join(tmpdir(), 'finexia-geth-'));
  const port = await freePort();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const server = await startServerProcess({
    name: 'geth',
    bin,
    args: [
      '--dev',
      `--datadir=${dataDir}`,
      '--http',
      '--http.addr=127.0.0.1',
      `--http.port=${port}`,
      '--http.api=eth,net,web3',
      '--nodiscover',
      '--ipcdisable',
      '--port=0',
      '--authrpc.port=0',
      '--verbosity=2',
    ],
    logPath: join(dataDir, 'geth.log'),
    ready: () => answers(rpcUrl),
    readyMeans: `answer on ${rpcUrl}`,
    timeoutMs: 30_000,
  });
  return {
    rpcUrl,
    provider: `geth ${GETH_VERSION} --dev, pid ${server.pid}`,
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1_000),
    });
    return res.ok;
  } catch {
    return false;
  }
}
