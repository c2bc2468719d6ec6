#!/bin/sh
# render-acl.sh TEMPLATE OUT: the ACL file (without the comments, which Redis refuses there)
# with each user's password (from the environment)
# replaced by its SHA-256. Refuses a missing or short password.
set -eu
template="$1"; out="$2"
hash() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
for user in WEB WORKER RASA; do
  eval "password=\${REDIS_${user}_PASSWORD:-}"
  if [ "${#password}" -lt 16 ]; then
    echo "REDIS_${user}_PASSWORD must be set, 16 characters or more" >&2; exit 2
  fi
done
umask 077
sed -e "/^#/d" -e "s/@WEB_HASH@/$(hash "$REDIS_WEB_PASSWORD")/" \
    -e "s/@WORKER_HASH@/$(hash "$REDIS_WORKER_PASSWORD")/" \
    -e "s/@RASA_HASH@/$(hash "$REDIS_RASA_PASSWORD")/" "$template" > "$out"
