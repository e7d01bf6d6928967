#!/usr/bin/env bash
# Walks steps 1–5 of the flow against a running Signet (npm start) and says
# what happens at each step. Needs openssl and curl.
set -euo pipefail

BASE="${SIGNET_URL:-http://127.0.0.1:${SIGNET_HTTP_PORT:-8080}}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
json() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const o=JSON.parse(s);const v=$1;console.log(typeof v==='string'?v:JSON.stringify(v,null,2))})"; }
submit() { # csr-file template [idempotency-key]
  node -e "const fs=require('fs');process.stdout.write(JSON.stringify({csr:fs.readFileSync('$1','utf8'),attributes:{CertificateTemplate:'$2'}}))" \
    | curl -s -o "$work/reply.json" -w '%{http_code}' -H 'content-type: application/json' ${3:+-H "Idempotency-Key: $3"} --data-binary @- "$BASE/api/v1/requests"
}

if ! curl -sf "$BASE/healthz" >/dev/null; then
  echo "Signet is not answering at $BASE — start it with 'npm start' first." >&2
  exit 1
fi

say "Steps 1–2: the CA started, initialised its policy module, and the intermediary discovers it on the bus"
curl -s "$BASE/api/v1/cas" | json 'o.cas ? o.cas.map(c=>({name:c.name,config:c.config,status:c.status,policy:c.policy,default:c.name===(o.default&&o.default.name)})) : o'
ca=$(curl -s "$BASE/api/v1/cas/default" | json 'o.ca.name')
curl -s "$BASE/api/v1/cas/$ca/certificate" | json 'o.certificate' > "$work/ca.pem"
echo "CA certificate:"; openssl x509 -in "$work/ca.pem" -noout -subject -enddate

say "Step 3: a client makes a key and a CSR for localhost with openssl"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/dev.key" \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -out "$work/dev.csr" 2>/dev/null
openssl req -in "$work/dev.csr" -noout -subject

say "Steps 4–5: the intermediary submits it (template Development: loopback names, open to callers without a credential); the policy verifies and the CA issues"
code=$(submit "$work/dev.csr" Development "demo-$(date +%s)")
echo "HTTP $code"; json '({requestId:o.requestId,disposition:o.disposition,serial:o.serial,message:o.message})' < "$work/reply.json"
json 'o.certificate' < "$work/reply.json" > "$work/dev.pem"
openssl x509 -in "$work/dev.pem" -noout -subject -issuer -dates -ext subjectAltName,extendedKeyUsage,keyUsage
echo; openssl verify -x509_strict -purpose sslserver -CAfile "$work/ca.pem" "$work/dev.pem"

say "Step 5, pend: www.example.com under WebServer from a caller who proved no name waits for a certificate manager"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/www.key" \
  -subj /CN=www.example.com -addext subjectAltName=DNS:www.example.com -out "$work/www.csr" 2>/dev/null
code=$(submit "$work/www.csr" WebServer)
echo "HTTP $code"; json '({requestId:o.requestId,disposition:o.disposition,decidedBy:o.decidedBy,message:o.message})' < "$work/reply.json"
id=$(json 'o.requestId' < "$work/reply.json")
# The submit answered the request's retrieval secret, once; only its holder reads the request back.
(umask 077; json 'o.retrievalSecret' < "$work/reply.json" > "$work/www.secret")
echo "RetrievePending $id with its retrieval secret (the Signet-Retrieval-Secret header):"
curl -s -H "Signet-Retrieval-Secret: $(cat "$work/www.secret")" "$BASE/api/v1/requests/$id?ca=$ca" | json '({requestId:o.requestId,disposition:o.disposition})'
echo "RetrievePending $id without it: the same answer as for a request that does not exist"
curl -s "$BASE/api/v1/requests/$id?ca=$ca" | json '({code:o.code,message:o.message})'
echo "A client that proves its names (an enrollment token, an enrollment secret, a certificate of this CA, an OIDC login) is issued at once: see docs/SECURITY.md."

say "Step 5, deny: a name outside the template's allowed domains is denied, and the rule is named"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/evil.key" \
  -subj /CN=www.evil.test -addext subjectAltName=DNS:www.evil.test -out "$work/evil.csr" 2>/dev/null
code=$(submit "$work/evil.csr" WebServer)
echo "HTTP $code"; json '({requestId:o.requestId,disposition:o.disposition,decidedBy:o.decidedBy,message:o.message})' < "$work/reply.json"

say "Done. Step 6 (approve, deny, revoke) is the signet CLI with an admin token: see README, \"Quick start\". Steps 7–8: exit modules, docs/EXIT-MODULES.md."
