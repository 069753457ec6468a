#!/usr/bin/env bash
# petstore-backup.sh: back up, list, verify and restore one PostgreSQL database.
#
# Shipped by petstore-operator in the ConfigMap `<instance>-backup-script` and
# run in the PostgreSQL image (bash, pg_dump, pg_restore, psql, sha256sum).
# The operator's tests run these very bytes against a real PostgreSQL.
#
# Environment:
#   PGHOST PGPORT PGUSER PGPASSWORD|PGPASSFILE PGDATABASE   libpq connection
#   BACKUP_DIR         directory holding the backups (required)
#   BACKUP_RETENTION   complete backups kept after a backup (default 7)
#   RESTORE_FORCE      `true`: restore into a non-empty database, replacing
#                      the objects the backup contains (default false)
#
# Usage: petstore-backup.sh backup | list | verify <file> | restore <file>
#                           | wait-restored <file>
#
# A backup is `<database>_backup_YYYYMMDD_HHMMSS.dump` (pg_dump custom format,
# UTC time) plus `<file>.sha256` (sha256sum format). It is written under a
# hidden temporary name and renamed when complete; the checksum file is
# renamed last, so only a backup with its checksum file is complete. Every
# failure exits non-zero with one line starting `petstore-backup: error:`.
set -euo pipefail
umask 077

PROG=petstore-backup
MARKER_PREFIX="petstore.dev/restored:"

die() {
    printf '%s: error: %s\n' "$PROG" "$*" >&2
    exit 1
}

say() {
    printf '%s: %s\n' "$PROG" "$*"
}

# First line of a command's error output, for one-line messages.
first_line() {
    printf '%s' "$1" | sed -e '/^[[:space:]]*$/d' | head -n 1
}

need() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || die "$tool not found on PATH"
    done
}

settings() {
    [[ -n "${PGDATABASE:-}" ]] || die "PGDATABASE is not set"
    [[ -n "${BACKUP_DIR:-}" ]] || die "BACKUP_DIR is not set"
    [[ -d "$BACKUP_DIR" ]] || die "backup directory $BACKUP_DIR does not exist"
    DB="$PGDATABASE"
    WHERE="${PGHOST:-localhost}:${PGPORT:-5432}"
}

psql_value() {
    psql -X -A -t -q -v ON_ERROR_STOP=1 -c "$1"
}

check_connection() {
    local err
    if ! err=$(psql_value 'SELECT 1' 2>&1 >/dev/null); then
        die "database $DB at $WHERE is unreachable: $(first_line "$err")"
    fi
}

# Complete backups of $DB (with a checksum file), oldest first.
complete_backups() {
    local f
    for f in "$BACKUP_DIR/${DB}"_backup_????????_??????.dump; do
        [[ -f "$f" && -f "$f.sha256" ]] && printf '%s\n' "${f##*/}"
    done
    return 0
}

cmd_backup() {
    settings
    need pg_dump pg_restore psql sha256sum
    local retention="${BACKUP_RETENTION:-7}"
    [[ "$retention" =~ ^[1-9][0-9]*$ ]] ||
        die "BACKUP_RETENTION must be a positive integer, not '$retention'"
    [[ -w "$BACKUP_DIR" ]] || die "backup directory $BACKUP_DIR is not writable"
    check_connection

    local name final tmp err sum
    name="${DB}_backup_$(date -u +%Y%m%d_%H%M%S).dump"
    final="$BACKUP_DIR/$name"
    tmp="$BACKUP_DIR/.$name.partial"
    [[ ! -e "$final" ]] || die "backup $name already exists"
    # shellcheck disable=SC2064 # expand now: the names are fixed
    trap "rm -f -- '$tmp' '$tmp.sha256'" EXIT

    say "dumping $DB at $WHERE to $name"
    if ! err=$(pg_dump --format=custom --file="$tmp" 2>&1); then
        if [[ "$err" == *"No space left on device"* ]]; then
            die "disk full while dumping $DB to $BACKUP_DIR: $(first_line "$err")"
        fi
        die "pg_dump of $DB failed: $(first_line "$err")"
    fi
    if ! err=$(pg_restore --list "$tmp" 2>&1 >/dev/null); then
        die "the dump of $DB is not readable by pg_restore: $(first_line "$err")"
    fi
    sum=$(sha256sum "$tmp") || die "cannot checksum the dump of $DB"
    if ! printf '%s  %s\n' "${sum%% *}" "$name" >"$tmp.sha256" 2>/dev/null; then
        die "cannot write the checksum of $name to $BACKUP_DIR (disk full?)"
    fi
    mv -f -- "$tmp" "$final" || die "cannot rename the dump to $name"
    mv -f -- "$tmp.sha256" "$final.sha256" || die "cannot write $name.sha256"
    sync 2>/dev/null || true
    trap - EXIT
    say "wrote $name ($(stat -c %s "$final") bytes, sha256 ${sum%% *})"

    # Retention: only complete backups count, the oldest go first.
    local backups=() b
    mapfile -t backups < <(complete_backups)
    local excess=$((${#backups[@]} - retention))
    for b in "${backups[@]:0:$((excess > 0 ? excess : 0))}"; do
        rm -f -- "$BACKUP_DIR/$b" "$BACKUP_DIR/$b.sha256" || die "cannot delete old backup $b"
        say "pruned $b (retention $retention)"
    done
    # Leftovers of runs that died mid-way (a day old, so never a running one).
    find "$BACKUP_DIR" -maxdepth 1 -name ".${DB}_backup_*.partial*" -mmin +1440 -delete 2>/dev/null || true
}

cmd_list() {
    settings
    local backups=() i b
    mapfile -t backups < <(complete_backups)
    for ((i = ${#backups[@]} - 1; i >= 0; i--)); do
        b="${backups[$i]}"
        printf '%s\t%s bytes\n' "$b" "$(stat -c %s "$BACKUP_DIR/$b")"
    done
}

# Resolves a backup argument (a name in BACKUP_DIR, or a path) into FILE and
# NAME, and checks its checksum and that pg_restore can read it.
verify() {
    local arg="${1:-}"
    [[ -n "$arg" ]] || die "which backup? usage: $PROG verify|restore <file>"
    if [[ "$arg" == */* ]]; then FILE="$arg"; else FILE="$BACKUP_DIR/$arg"; fi
    NAME="${FILE##*/}"
    [[ "$NAME" =~ ^[A-Za-z0-9_.-]+$ ]] || die "invalid backup name '$NAME'"
    [[ -f "$FILE" ]] || die "backup $NAME not found in ${FILE%/*}"
    [[ -f "$FILE.sha256" ]] ||
        die "backup $NAME has no checksum file $NAME.sha256 (incomplete backup); refusing it"
    local expected actual err
    expected=$(head -c 64 "$FILE.sha256")
    actual=$(sha256sum "$FILE") || die "cannot read backup $NAME"
    actual="${actual%% *}"
    [[ "$expected" == "$actual" ]] ||
        die "backup $NAME is corrupt or truncated: its sha256 $actual differs from $expected recorded when it was taken; refusing it"
    if ! err=$(pg_restore --list "$FILE" 2>&1 >/dev/null); then
        die "backup $NAME is not a readable pg_dump archive: $(first_line "$err"); refusing it"
    fi
    SUM="$actual"
}

cmd_verify() {
    settings
    need pg_restore sha256sum
    verify "${1:-}"
    say "backup $NAME is complete and readable (sha256 $SUM)"
}

current_marker() {
    psql_value "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = current_database()"
}

cmd_restore() {
    settings
    need pg_restore psql sha256sum
    verify "${1:-}"
    check_connection
    local marker="$MARKER_PREFIX $NAME sha256:$SUM" current objects err
    current=$(current_marker) || die "cannot read the comment of database $DB"
    if [[ "$current" == "$marker" ]]; then
        say "backup $NAME was already restored into $DB; nothing to do"
        return 0
    fi
    objects=$(psql_value "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'") ||
        die "cannot inspect database $DB"
    local opts=(--exit-on-error --single-transaction --no-owner --no-privileges --dbname="$DB")
    if [[ "$objects" != 0 ]]; then
        [[ "${RESTORE_FORCE:-false}" == true ]] ||
            die "database $DB is not empty ($objects tables, views or sequences); refusing to restore $NAME over it (set RESTORE_FORCE=true to replace what the backup contains)"
        opts+=(--clean --if-exists)
        say "database $DB is not empty ($objects objects): RESTORE_FORCE=true, replacing what $NAME contains"
    fi
    say "restoring $NAME into $DB at $WHERE"
    if ! err=$(pg_restore "${opts[@]}" "$FILE" 2>&1); then
        die "restore of $NAME into $DB failed, nothing was changed: $(first_line "$err")"
    fi
    psql_value "COMMENT ON DATABASE \"$DB\" IS '$marker'" >/dev/null ||
        die "restored $NAME into $DB but cannot record it (COMMENT ON DATABASE)"
    say "restored $NAME into $DB"
}

# Waits until `restore <file>` has completed into $PGDATABASE (an init
# container of the service runs this before migrating).
cmd_wait_restored() {
    [[ -n "${PGDATABASE:-}" ]] || die "PGDATABASE is not set"
    DB="$PGDATABASE"
    local name="${1:-}" waited=0 current
    [[ -n "$name" ]] || die "which backup? usage: $PROG wait-restored <file>"
    while true; do
        current=$(current_marker 2>/dev/null || true)
        if [[ "$current" == "$MARKER_PREFIX $name "* ]]; then
            say "backup $name is restored into $DB"
            return 0
        fi
        if ((waited % 60 == 0)); then
            say "waiting for the restore of $name into $DB (${waited}s)"
        fi
        sleep 5
        waited=$((waited + 5))
    done
}

main() {
    local cmd="${1:-}"
    shift || true
    case "$cmd" in
    backup) cmd_backup ;;
    list) cmd_list ;;
    verify) cmd_verify "$@" ;;
    restore) cmd_restore "$@" ;;
    wait-restored) cmd_wait_restored "$@" ;;
    *) die "usage: $PROG backup | list | verify <file> | restore <file> | wait-restored <file>" ;;
    esac
}

main "$@"
