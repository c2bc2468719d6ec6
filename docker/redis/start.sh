#!/bin/sh
# The compose Redis: render the ACL file from the passwords in the environment, then start
# Redis with redis.conf (memory cap, no eviction, protected mode, append-only file).
set -eu
here="$(dirname "$0")"
sh "$here/render-acl.sh" "$here/users.acl.template" /tmp/users.acl
exec redis-server "$here/redis.conf" --aclfile /tmp/users.acl --dir /data "$@"
