#!/usr/bin/env bash
# Makes sure the local PostgreSQL and NATS (JetStream) that Signet uses are up,
# with the database role behind SIGNET_DATABASE_URL, plus the tools the tests
# call (certtool, docker-compose). Idempotent and silent when all is up.
# See scripts/lib/services.sh for what it does and the variables it reads.
set -euo pipefail
# shellcheck source=scripts/lib/services.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/services.sh"
signet_ensure_services
