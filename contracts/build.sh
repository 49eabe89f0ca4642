#!/usr/bin/env bash
# Recompiles contracts/SecretStoreAcl.sol with solc from npm (pinned) and rewrites
# contracts/SecretStoreAcl.json (abi, bytecode, solc version, sha256 of the source).
# The Java build never runs this: a unit test only checks that the recorded sha256 matches
# the source, and asks you to run this script when it does not.
set -euo pipefail
cd "$(dirname "$0")/.."
SOLC_VERSION=0.8.28
if [ ! -x .tools/node_modules/.bin/solcjs ] || \
   [ "$(node -p "require('./.tools/node_modules/solc/package.json').version" 2>/dev/null)" != "$SOLC_VERSION" ]; then
  npm install --prefix .tools --no-audit --no-fund --silent "solc@$SOLC_VERSION"
fi
NODE_PATH=.tools/node_modules node - <<'JS'
const fs = require('fs');
const crypto = require('crypto');
const solc = require('solc');
const file = 'contracts/SecretStoreAcl.sol';
const source = fs.readFileSync(file);
const input = {
  language: 'Solidity',
  sources: { 'SecretStoreAcl.sol': { content: source.toString('utf8') } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'paris',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
  },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (out.errors || []).filter(e => e.severity === 'error');
(out.errors || []).forEach(e => console.error(e.formattedMessage));
if (errors.length) process.exit(1);
const c = out.contracts['SecretStoreAcl.sol'].SecretStoreAcl;
const artifact = {
  contractName: 'SecretStoreAcl',
  source: 'SecretStoreAcl.sol',
  sourceSha256: crypto.createHash('sha256').update(source).digest('hex'),
  solcVersion: solc.version(),
  settings: { optimizer: input.settings.optimizer, evmVersion: input.settings.evmVersion },
  abi: c.abi,
  bytecode: '0x' + c.evm.bytecode.object,
  deployedBytecode: '0x' + c.evm.deployedBytecode.object,
};
fs.writeFileSync('contracts/SecretStoreAcl.json', JSON.stringify(artifact, null, 2) + '\n');
console.log('wrote contracts/SecretStoreAcl.json (solc ' + solc.version() + ')');
JS
