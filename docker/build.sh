#!/bin/sh
# Build the image from a base image pinned by digest (decisions 32).
#   PYTHON_DIGEST=sha256:<64 hex digits> docker/build.sh [-t helpline]
# Read the digest of the python:3.10-slim you reviewed, e.g.
#   docker buildx imagetools inspect python:3.10-slim --format '{{json .Manifest.Digest}}'
set -eu
case "${PYTHON_DIGEST:-}" in
  sha256:*) digest_hex="${PYTHON_DIGEST#sha256:}" ;;
  *) echo "PYTHON_DIGEST is not set (sha256:<64 hex digits>): the base image must be pinned" \
       "by digest; see the top of the Dockerfile" >&2; exit 2 ;;
esac
if ! printf '%s' "$digest_hex" | grep -Eq '^[0-9a-f]{64}$'; then
  echo "PYTHON_DIGEST must be sha256: followed by 64 lower-case hex digits" >&2; exit 2
fi
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- -t helpline
exec docker build --build-arg "PYTHON_DIGEST=$PYTHON_DIGEST" "$@" .
