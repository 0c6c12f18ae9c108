#!/usr/bin/env bash
# Prints a bearer token for development and tests, signed with dev/jwt/dev-private.pem.
#   dev/token.sh ROLE [SUBJECT] [HOURS]     ROLE: viewer | operator | admin (any group name works)
# The service trusts this key only where it is configured: %dev and %test (application.properties),
# never in production. Dev mode checks tokens only with QUARKUS_SECURITY_AUTH_ENABLED_IN_DEV_MODE=true.
set -euo pipefail
cd "$(dirname "$0")"
role=${1:?usage: dev/token.sh viewer|operator|admin [subject] [hours]}
subject=${2:-dev-$role}
hours=${3:-8}
now=$(date +%s)
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
claims=$(printf '{"iss":"https://migration-plane.dev","sub":"%s","upn":"%s","groups":["%s"],"iat":%d,"exp":%d}' \
  "$subject" "$subject" "$role" "$now" $((now + hours * 3600)) | b64url)
signature=$(printf '%s.%s' "$header" "$claims" | openssl dgst -sha256 -sign jwt/dev-private.pem -binary | b64url)
printf '%s.%s.%s\n' "$header" "$claims" "$signature"
