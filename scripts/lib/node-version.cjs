'use strict';
// The Node.js versions Signet runs on: package.json "engines".node, which is
// what every installed dependency declares at once (typeorm, pkijs, jest, …),
// so `npm ci` on any of them prints no EBADENGINE. Plain code, no semver
// package: scripts/lib/dev.sh runs this before node_modules exists.
// e2e/infra/node-engines.spec.ts checks that both say the same.
//
//   node scripts/lib/node-version.cjs     exit 1 with a message on an unsupported Node

/** How the README and the error message name the supported versions. */
const SUPPORTED = '20 (20.19 or later), 22 (22.13 or later) or 24.11 and later';

/** `version` is e.g. process.versions.node ("20.20.2"). */
function isSupported(version) {
  const [major, minor] = String(version).replace(/^v/, '').split('.').map(Number);
  if (!Number.isInteger(major) || !Number.isInteger(minor)) return false;
  if (major === 20) return minor >= 19;
  if (major === 22) return minor >= 13;
  if (major === 24) return minor >= 11;
  return major > 24;
}

module.exports = { SUPPORTED, isSupported };

if (require.main === module && !isSupported(process.versions.node)) {
  process.stderr.write(`[signet] ERROR: Node.js ${process.versions.node} is not supported; Signet needs Node.js ${SUPPORTED} (package.json "engines")\n`);
  process.exit(1);
}
